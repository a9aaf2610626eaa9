/** Pulls an image through the engine, reporting progress events as they come. */
import type Docker from 'dockerode';
import { UserError } from '../../errors.js';
import type { Progress } from '../runtime.js';
import { engineMessage } from './errors.js';

interface PullMessage {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

export async function pullImage(docker: Docker, image: string, progress: Progress, label: string): Promise<void> {
  const failed = (reason: string, cause?: unknown) =>
    new UserError(`cannot pull ${image} on ${label}: ${reason}`, {
      hint: 'check the image name and your registry access, or load the image locally and use --pull never',
      cause,
    });
  // Said at once, as on containerd: the engine's first message can wait for the registry.
  progress.pull({ image, status: 'resolving' });
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(image)) as NodeJS.ReadableStream;
  } catch (e) {
    if ((e as { code?: string }).code) throw e; // connection problems are reported by the caller
    throw failed(engineMessage(e), e);
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: PullMessage[]) => {
        const last = output?.find((m) => m.error);
        if (err || last) reject(failed(err ? engineMessage(err) : (last!.errorDetail?.message ?? last!.error ?? 'unknown error'), err));
        else resolve();
      },
      (event: PullMessage) => {
        if (event.error) return;
        progress.pull({
          image,
          id: event.id,
          status: event.status ?? '',
          current: event.progressDetail?.current,
          total: event.progressDetail?.total,
        });
      },
    );
  });
  progress.pullDone(image);
}
