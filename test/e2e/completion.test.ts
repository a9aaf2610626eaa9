/**
 * The bash completion script in a real bash: sourced from `sidekick completion bash`, its function
 * called as bash calls it (COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD), COMPREPLY read back.
 * Targets come from the running engines, within a short time even when an engine does not answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, expectOneLineError, sidekick } from '../helpers/cli.js';
import { dockerEngine, type StartedTarget } from '../helpers/engines.js';
import { KUBECONFIG, clusterReady, createNamespace, deleteNamespace, startPod, uniqueNamespace } from '../helpers/kube.js';

// `sidekick` on PATH, as an installed CLI is: the script calls it for target addresses
const bin = mkdtempSync(join(tmpdir(), 'sk-completion-'));
symlinkSync(CLI, join(bin, 'sidekick'));
const PATH = `${bin}:${process.env.PATH}`;

/** Completes `line` (the cursor at its end) in bash; the words bash would put in place. */
async function complete(line: string, env: Record<string, string> = {}): Promise<string[]> {
  const script = [
    'source <(sidekick completion bash) || exit 9',
    'COMP_LINE=$1; COMP_POINT=${#1}',
    // bash's own split (at blanks and at ':'), which the script must not rely on
    'read -ra COMP_WORDS <<<"${1//:/ : }"; [[ $1 == *" " ]] && COMP_WORDS+=("")',
    'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
    '_sidekick; printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = await execa('bash', ['-c', script, 'bash', line], { env: { PATH, ...env }, reject: false, timeout: 20_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return String(r.stdout).split('\n').filter(Boolean);
}

/**
 * Completes `line` in zsh: the script sourced in a real zsh, its function called with `words` and
 * CURRENT as the completion system sets them. compadd (a builtin that exists only inside a completion
 * widget) is replaced by a function printing the candidates that match PREFIX, as compadd keeps them.
 */
async function completeZsh(line: string, env: Record<string, string> = {}): Promise<string[]> {
  const script = [
    'compadd() { local w; [[ $1 == -- ]] && shift; for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -r -- $w; done; return 0; }',
    '_files() { print -r -- FILES; }',
    'source <(sidekick completion zsh) || exit 9',
    'words=(${(z)1}); [[ $1 == *" " ]] && words+=("")',
    'CURRENT=${#words}; PREFIX=$words[CURRENT]',
    '_sidekick',
  ].join('\n');
  const r = await execa('zsh', ['-f', '-c', script, 'zsh', line], { env: { PATH, ...env }, reject: false, timeout: 20_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return String(r.stdout).split('\n').filter(Boolean);
}

/** Completes `line` in fish: the script sourced, then fish's own `complete -C` (candidates without descriptions). */
async function completeFish(line: string, env: Record<string, string> = {}): Promise<string[]> {
  const script = 'sidekick completion fish | source; or exit 9; complete -C $argv[1]';
  const r = await execa('fish', ['--no-config', '-c', script, line], { env: { PATH, ...env }, reject: false, timeout: 20_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return String(r.stdout).split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
}

describe('sidekick completion', () => {
  let target: StartedTarget;
  // a pod in a namespace of its own: only a line naming that namespace (-n) completes it
  const ns = uniqueNamespace('sk-complete');
  const podAddress = `k8s://${ns}/completed/app`;
  beforeAll(async () => {
    await dockerEngine.ready();
    target = await dockerEngine.startTarget();
    await clusterReady();
    await createNamespace(ns);
    await startPod({ namespace: ns, name: 'completed' });
  }, 150_000);
  afterAll(async () => {
    if (target) await dockerEngine.remove(target);
    await deleteNamespace(ns);
    rmSync(bin, { recursive: true, force: true });
  });

  it('completes commands and options', async () => {
    expect(await complete('sidekick ')).toEqual(['exec', 'diagnose', 'port-forward', 'attach', 'targets', 'sessions', 'cleanup', 'completion', 'plugins']);
    expect(await complete('sidekick p')).toEqual(['port-forward', 'plugins']);
    expect(await complete('sidekick exec --pr')).toEqual(['--privileged', '--profile']);
    expect(await complete('sidekick port-forward --v')).toEqual(['--via']);
    expect(await complete('sidekick completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete('sidekick plugins u')).toEqual(['uninstall']);
  });

  it('completes the values of --profile, --pull and --engine', async () => {
    expect(await complete('sidekick exec --profile ')).toEqual(['general', 'baseline', 'restricted', 'netadmin', 'sysadmin']);
    expect(await complete('sidekick exec -n shop --profile re')).toEqual(['restricted']);
    expect(await complete('sidekick diagnose --pull a')).toEqual(['always']);
    expect(await complete('sidekick exec --engine c')).toEqual(['containerd']);
    // a value is not taken for the target: the target comes next
    expect(await complete(`sidekick exec --pull never ${target.name.slice(0, -2)}`)).toEqual([]);
  });

  it('completes target addresses from the running engines', async () => {
    const all = await complete('sidekick exec ');
    expect(all).toContain(target.address);
    // bash breaks words at ':' and replaces only what follows the last one
    expect(await complete(`sidekick exec --pull never docker://${target.name.slice(0, -2)}`)).toEqual([`//${target.name}`]);
    // no targets after the target, nor after --
    expect(await complete(`sidekick exec ${target.address} `)).toEqual([]);
    expect(await complete(`sidekick exec ${target.address} -- `)).toEqual([]);
  });

  it("completes the pods of the namespace and cluster the line names (-n, --kubeconfig), in bash, zsh and fish", async () => {
    const env = { KUBECONFIG };
    expect(await complete(`sidekick exec -n ${ns} k8s`, env)).toEqual([podAddress]);
    expect(await complete(`sidekick exec --namespace=${ns} --kubeconfig ${KUBECONFIG} k8s://`)).toEqual([`//${ns}/completed/app`]);
    // without -n every namespace is listed, as by "sidekick targets"; another namespace leaves it out
    expect(await complete('sidekick exec k8s', env)).toContain(podAddress);
    expect(await complete('sidekick exec -n default k8s', env)).not.toContain(podAddress);
    expect(await completeZsh(`sidekick exec -n ${ns} k8s`, env)).toEqual([podAddress]);
    expect(await completeFish(`sidekick exec --context sidekick -n ${ns} k8s`, env)).toEqual([podAddress]);
  });

  it('completes in zsh: commands, options, values, targets', async () => {
    expect(await completeZsh('sidekick p')).toEqual(['port-forward', 'plugins']);
    expect(await completeZsh('sidekick exec --pr')).toEqual(['--privileged', '--profile']);
    expect(await completeZsh('sidekick exec --profile re')).toEqual(['restricted']);
    expect(await completeZsh('sidekick diagnose --kubeconfig ')).toEqual(['FILES']);
    expect(await completeZsh('sidekick completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(await completeZsh(`sidekick exec ${target.address.slice(0, -2)}`)).toEqual([target.address]);
  });

  it('completes in fish: commands, options, values, targets', async () => {
    expect(await completeFish('sidekick p')).toEqual(['plugins', 'port-forward']);
    expect(await completeFish('sidekick exec --pr')).toEqual(['--privileged', '--profile']);
    expect(await completeFish('sidekick exec --profile re')).toEqual(['restricted']);
    expect(await completeFish('sidekick completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await completeFish(`sidekick exec ${target.address.slice(0, -2)}`)).toEqual([target.address]);
  });

  it('lists targets within a short time when an engine does not answer', async () => {
    // a Docker socket that accepts connections and never answers: "sidekick targets" waits on it
    const socket = join(bin, 'hung.sock');
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(socket, resolve));
    try {
      const dead = { DOCKER_HOST: `unix://${socket}` };
      const r = await sidekick(['completion', '--targets'], { env: dead, timeout: 20_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain(target.address);
      expect(await complete('sidekick exec ', dead)).not.toContain(target.address);
    } finally {
      hung.close();
    }
  });

  it('names the shells it knows when given another, in one line', async () => {
    expectOneLineError(await sidekick(['completion', 'tcsh']), /"tcsh".*"bash", "zsh", "fish"/);
    expectOneLineError(await sidekick(['completion']), /name a shell: use one of bash, zsh, fish/);
  });
});
