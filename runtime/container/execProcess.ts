// The OCI process an exec runs, as a pure function: the container's own process (config.json's
// `process`: capabilities, rlimits, environment, user) with what `docker exec` changes, as
// dockerd does it: the command; the exec's environment over the container's (and TERM=xterm with
// a terminal); its working dir and user when given; the terminal's first size, which the runtime
// applies before the process runs (a resize through conmon could come after its first look).
import type { ResolvedUser } from './processArgs';

export interface ExecProcessInput {
  args: string[];
  /** `KEY=value` entries that replace or extend the container's. */
  env: string[];
  /** Empty or undefined: the container's. */
  cwd?: string;
  /** undefined: the container's user. */
  user?: ResolvedUser;
  terminal: boolean;
  /** [height, width]: the runtime creates the terminal at this size, before the process runs. */
  consoleSize?: [number, number];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `KEY=value` lists merged by key, later entries replacing earlier ones in place. */
export function replaceEnv(base: readonly string[], extra: readonly string[]): string[] {
  const out = [...base];
  const keyOf = (entry: string): string => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry);
  for (const entry of extra) {
    if (!entry.includes('=')) continue; // a bare KEY: the CLI already resolved it or it is unset
    const index = out.findIndex((e) => keyOf(e) === keyOf(entry));
    if (index >= 0) out[index] = entry;
    else out.push(entry);
  }
  return out;
}

export function execProcess(containerProcess: Json, input: ExecProcessInput): Json {
  const baseEnv = Array.isArray(containerProcess.env) ? (containerProcess.env as string[]) : [];
  const env = replaceEnv(input.terminal ? replaceEnv(baseEnv, ['TERM=xterm']) : baseEnv, input.env);
  const process: Json = {
    ...containerProcess,
    terminal: input.terminal,
    args: input.args,
    env,
    cwd: input.cwd !== undefined && input.cwd !== '' ? input.cwd : containerProcess.cwd,
  };
  if (input.user !== undefined) {
    const { uid, gid, additionalGids } = input.user;
    process.user = { uid, gid, ...(additionalGids.length > 0 ? { additionalGids } : {}) };
    const caps = containerProcess.capabilities;
    if (isObject(caps)) {
      // As for the container itself: a non-root user gets no inheritable capabilities.
      process.capabilities = { ...caps, inheritable: uid === 0 ? (caps.bounding ?? []) : [] };
    }
  }
  delete process.consoleSize;
  if (input.terminal && input.consoleSize !== undefined) process.consoleSize = { height: input.consoleSize[0], width: input.consoleSize[1] };
  return process;
}
