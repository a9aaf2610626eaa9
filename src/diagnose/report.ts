/** The diagnose report: its shape is the JSON schema in schema/diagnose-report.schema.json. */
export const SCHEMA_VERSION = 1;

export interface ProcessEntry {
  pid: number;
  ppid: number;
  user: string;
  state: string;
  rssBytes: number;
  command: string;
  children?: number[];
}

export interface ListeningSocket {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  address: string;
  port: number;
  pid: number | null;
  process: string | null;
}

export interface UnixSocket {
  path: string;
  pid: number | null;
  process: string | null;
}

export interface Mount {
  mountPoint: string;
  type: string;
  source: string;
  readOnly: boolean;
  sizeBytes: number | null;
  freeBytes: number | null;
}

export interface CheckResult {
  spec: string;
  kind: 'tcp' | 'http' | 'dns' | 'process' | 'port';
  ok: boolean;
  reason: string;
  durationMs: number;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  generatedAt: string;
  durationMs: number;
  target: {
    address: string;
    engine: string;
    id: string;
    name: string;
    image: string;
    entrypoint: string[];
    command: string[];
    user: string;
    startedAt: string | null;
    restartCount: number;
    state: string;
    /** of a target that does not run (a stopped, exited or crashed container), as the engine says */
    exitCode?: number | null;
    oomKilled?: boolean | null;
    finishedAt?: string | null;
  };
  processes: ProcessEntry[];
  network: {
    interfaces: Array<{ name: string; addresses: string[] }>;
    routes: string[];
    listening: ListeningSocket[];
    unixListening: UnixSocket[];
    established: { tcp: number };
    resolvConf: { nameservers: string[]; search: string[]; options: string[] };
  };
  filesystem: { mounts: Mount[] };
  environment: Record<string, string>;
  limits: {
    cgroupVersion: 1 | 2 | null;
    memory: { limitBytes: number | null; usageBytes: number | null; oomKills: number | null };
    cpu: { quotaCores: number | null };
    pids: { limit: number | null; current: number | null };
    openFiles: { pid1: number | null; limit: number | null };
  };
  checks: CheckResult[];
  warnings: string[];
}

/** Whether the report is of a target that runs (one that does not carries its exit code, or null). */
export function targetRuns(report: Report): boolean {
  return report.target.exitCode === undefined;
}
