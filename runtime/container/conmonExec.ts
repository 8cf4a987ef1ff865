// An exec session through `conmon --exec --exec-attach`, as Podman runs one: conmon owns the
// process's stdio, its terminal and its exit code, as it does for the container itself.
// The handshake (conmon's main, Podman's startExec/attachExecHTTP):
//   1. one byte on the start pipe lets conmon go on (Podman moves it to a cgroup first);
//   2. conmon listens on `<dir>/attach` and says so on the attach pipe;
//   3. we connect (so no output is lost), then a second byte on the start pipe makes conmon run
//      `crun exec` (the terminal's first size is in the process spec: crun applies it before
//      the process runs, where a resize through conmon could come too late);
//   4. the sync pipe brings the pid (or a negative number and crun's error), then the exit code.
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { connectAttachSocket, type AttachSocket } from './attachSocket';
import { SyncPipeReader } from './conmonPipes';

export interface ConmonExecOptions {
  conmon: string;
  crun: string;
  /** crun's --root. */
  stateDir: string;
  /** conmon's --socket-dir-path: `<socketDir>/<sessionId>` links to `dir`. */
  socketDir: string;
  containerId: string;
  containerName: string;
  sessionId: string;
  /** The session's own directory: process spec, pid file, control FIFOs, attach socket, exit file. */
  dir: string;
  /** The OCI process (config.json's `process` with the exec's args, env, user, cwd, terminal). */
  processSpecPath: string;
  terminal: boolean;
  /** Keep a pipe to the process's stdin (closed when the attach socket is half-closed). */
  stdin: boolean;
  /** Connect to the attach socket before the process starts (a non-detached exec). */
  attach: boolean;
}

export interface ConmonExec {
  pid: number;
  /** The process's stdio, when `attach` was asked for. */
  socket: AttachSocket | undefined;
  /** The exit code, once the process has ended. */
  exited: Promise<number>;
}

/** The runtime could not start the process: Docker answers with 126, or 127 when it is not found. */
export class ExecStartError extends Error {
  override name = 'ExecStartError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function execFailureCode(message: string): number {
  return /not found|no such file or directory/i.test(message) ? 127 : 126;
}

export async function startConmonExec(options: ConmonExecOptions): Promise<ConmonExec> {
  const { dir } = options;
  const exitDir = join(dir, 'exits');
  await mkdir(exitDir, { recursive: true, mode: 0o700 });
  const args = [
    '--api-version', '1',
    '-c', options.containerId,
    '-u', options.sessionId,
    '-n', options.containerName,
    '-r', options.crun,
    '-b', dir,
    '-p', join(dir, 'pidfile'),
    '--exit-dir', exitDir,
    // Docker keeps exec output out of the container's log.
    '-l', 'none',
    '--socket-dir-path', options.socketDir,
    '--runtime-arg', `--root=${options.stateDir}`,
    // With a terminal, stdin is the terminal: `-i` would make a half-close hang it up.
    ...(options.terminal ? ['-t'] : options.stdin ? ['-i'] : []),
    '-e',
    '--exec-attach',
    '--exec-process-spec', options.processSpecPath,
  ];
  const child = spawn(options.conmon, args, {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' },
  });
  const pipes = child.stdio as unknown as Socket[];
  const [syncPipe, startPipe, attachPipe] = [pipes[3], pipes[4], pipes[5]];
  for (const pipe of [syncPipe, startPipe, attachPipe]) pipe.on('error', () => undefined);
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new ExecStartError(`could not run conmon: ${error.message}`, 126))));
  spawnError.catch(() => undefined);
  const sync = new SyncPipeReader(syncPipe);
  const attachReady = new SyncPipeReader(attachPipe);
  let socket: AttachSocket | undefined;
  try {
    startPipe.write(Buffer.from([0]));
    const ready = await Promise.race([attachReady.next(), spawnError]);
    if (ready === undefined || ready.data < 0) {
      // conmon failed before listening; the sync pipe carries its reason if it gave one.
      const reason = ready?.message ?? (await sync.next())?.message ?? 'conmon exited before the exec could start (see syslog for its messages)';
      throw new ExecStartError(reason.trim(), 126);
    }
    if (options.attach) socket = await connectAttachSocket(dir);
    startPipe.end(Buffer.from([0]));
    const started = await sync.next();
    if (started === undefined) throw new ExecStartError('conmon exited before reporting the exec (see syslog for its messages)', 126);
    if (started.data <= 0) {
      const message = (started.message ?? `the runtime failed to start the process (status ${started.data})`).trim();
      throw new ExecStartError(message, execFailureCode(message));
    }
    const exited = waitForExit(sync, join(exitDir, options.containerId));
    for (const pipe of [syncPipe, attachPipe]) pipe.unref();
    return { pid: started.data, socket, exited };
  } catch (error) {
    socket?.destroy();
    for (const pipe of [syncPipe, startPipe, attachPipe]) pipe.destroy();
    throw error;
  }
}

/** The exit code from the sync pipe or, if conmon's message got lost, its exit file. */
async function waitForExit(sync: SyncPipeReader, exitFile: string): Promise<number> {
  const message = await sync.next().catch(() => undefined);
  if (message !== undefined && message.message === undefined) return message.data;
  const text = await readFile(exitFile, 'utf8').catch(() => '');
  const code = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(code) ? code : -1;
}
