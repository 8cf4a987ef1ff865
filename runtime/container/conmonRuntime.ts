// Running containers with conmon + crun. conmon is the monitor: it holds the container's stdio,
// writes the k8s-file log and, when the process ends, `<exitDir>/<id>` with the exit code; it
// outlives berth, so a restarted agent still finds output and exit codes. crun does the rest
// (start, kill, state, delete) against a private state dir. A container's stdio is reached through
// conmon's attach socket (attachSocket.ts), its terminal size through its control FIFO
// (conmonControl.ts); exec sessions are conmon processes of their own (conmonExec.ts).
import { execFile, spawn } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTools } from '../host/hostCheck';
import { connectAttachSocket, type AttachSocket } from './attachSocket';
import { resizeTerminal } from './conmonControl';
import { startConmonExec, type ConmonExec, type ConmonExecOptions } from './conmonExec';

export interface RuntimePaths {
  /** crun's --root. */
  stateDir: string;
  /** conmon's --exit-dir: one file per exited container, holding the exit code. */
  exitDir: string;
  /** conmon's --socket-dir-path (attach sockets); kept short for the 108-byte socket limit. */
  socketDir: string;
}

export interface CreateOptions {
  id: string;
  name: string;
  bundle: string;
  logPath: string;
  /** Give the process a terminal (stdin and output then go through it). */
  terminal?: boolean;
  /** Keep a pipe to the process's stdin, fed through the attach socket. */
  stdin?: boolean;
  /**
   * Keep that pipe open when an attached client half-closes (Docker's StdinOnce=false); otherwise
   * the first client's end of input is the process's.
   */
  leaveStdinOpen?: boolean;
}

/** What an exec needs beyond the paths the runtime already knows. */
export type ExecOptions = Omit<ConmonExecOptions, 'conmon' | 'crun' | 'stateDir' | 'socketDir'>;

export interface RuntimeState {
  status: 'created' | 'running' | 'stopped' | 'paused' | 'unknown';
  pid: number;
}

export interface ExitInfo {
  exitCode: number;
  /** When conmon wrote the exit file. */
  finishedAt: Date;
}

export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve({ stdout, stderr });
      else reject(new RuntimeError(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
    });
  });
}

interface AttachWaiter {
  resolve(socket: AttachSocket): void;
  reject(error: Error): void;
}

export class ConmonRuntime {
  private watcher: FSWatcher | undefined;
  private readonly exitWaiters = new Map<string, Set<(info: ExitInfo) => void>>();
  /** Attaches waiting for a container's next run: connected before its process starts. */
  private readonly attachWaiters = new Map<string, Set<AttachWaiter>>();
  /** The last resize per terminal: the next one waits for it, so sizes land in the order asked. */
  private readonly resizes = new Map<string, Promise<boolean>>();

  constructor(
    private readonly tools: HostTools,
    private readonly paths: RuntimePaths,
  ) {}

  async init(): Promise<void> {
    for (const dir of [this.paths.stateDir, this.paths.exitDir, this.paths.socketDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
    // One watcher for all containers: any change in the exit dir rechecks the waiters.
    this.watcher = watch(this.paths.exitDir, () => void this.checkWaiters());
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private crunArgs(...args: string[]): string[] {
    return [`--root=${this.paths.stateDir}`, ...args];
  }

  private crunLog(bundle: string): string {
    return join(bundle, 'crun.log');
  }

  /** Starts conmon, which runs `crun create`; resolves once the container is `created`. */
  async create(options: CreateOptions): Promise<void> {
    const { id, name, bundle, logPath } = options;
    await rm(join(this.paths.exitDir, id), { force: true });
    const args = [
      '--api-version', '1',
      '-c', id,
      '-u', id,
      '-n', name,
      '-r', this.tools.crun,
      '-b', bundle,
      '-p', join(bundle, 'pidfile'),
      '--exit-dir', this.paths.exitDir,
      '-l', `k8s-file:${logPath}`,
      '--conmon-pidfile', join(bundle, 'conmon.pid'),
      '--socket-dir-path', this.paths.socketDir,
      '--runtime-arg', `--root=${this.paths.stateDir}`,
      '--runtime-arg', `--log=${this.crunLog(bundle)}`,
    ];
    if (options.terminal) args.push('-t');
    else if (options.stdin) args.push('-i', ...(options.leaveStdinOpen ? ['--leave-stdin-open'] : []));
    const result = await this.spawnConmon(args);
    if ('error' in result) {
      this.failAttachWaiters(id, result.error);
      throw new RuntimeError(`could not create the container: ${await this.runtimeMessage(bundle, result.error)}`);
    }
    // conmon listens on the attach socket before the runtime creates the process, and the
    // process runs only on `start`: attaching now loses no output.
    await this.connectAttachWaiters(id);
  }

  /** Where conmon links `<id>` to the bundle (or exec dir): the attach socket is in there. */
  attachDir(id: string): string {
    return join(this.paths.socketDir, id);
  }

  /** The stdio of a container whose conmon is running. */
  attach(id: string): Promise<AttachSocket> {
    return connectAttachSocket(this.attachDir(id));
  }

  /**
   * The stdio of the container's next run: resolves when `create` has started its conmon, before
   * the process runs (`docker run` and `docker start -a` attach first, then start).
   */
  attachNextRun(id: string, signal: AbortSignal): Promise<AttachSocket> {
    return new Promise((resolve, reject) => {
      const waiters = this.attachWaiters.get(id) ?? new Set<AttachWaiter>();
      this.attachWaiters.set(id, waiters);
      const waiter: AttachWaiter = {
        resolve: (socket) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) socket.destroy();
          else resolve(socket);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        waiters.delete(waiter);
        reject(new RuntimeError('the attach was cancelled'));
      };
      waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }

  private async connectAttachWaiters(id: string): Promise<void> {
    const waiters = this.attachWaiters.get(id);
    this.attachWaiters.delete(id);
    if (waiters === undefined) return;
    await Promise.all(
      [...waiters].map(async (waiter) => {
        try {
          waiter.resolve(await this.attach(id));
        } catch (error) {
          waiter.reject(error as Error);
        }
      }),
    );
  }

  private failAttachWaiters(id: string, error: Error): void {
    const waiters = this.attachWaiters.get(id);
    this.attachWaiters.delete(id);
    for (const waiter of waiters ?? []) waiter.reject(error);
  }

  /** Resizes the terminal of a container (its bundle) or exec session (its dir). false when its conmon has gone. */
  resize(dir: string, height: number, width: number): Promise<boolean> {
    const previous = this.resizes.get(dir) ?? Promise.resolve(true);
    const next = previous.catch(() => false).then(() => resizeTerminal(dir, height, width));
    this.resizes.set(dir, next);
    const forget = (): void => {
      if (this.resizes.get(dir) === next) this.resizes.delete(dir);
    };
    next.then(forget, forget);
    return next;
  }

  /** Starts an exec session in a running container; see conmonExec.ts. */
  exec(options: ExecOptions): Promise<ConmonExec> {
    return startConmonExec({ ...options, conmon: this.tools.conmon, crun: this.tools.crun, stateDir: this.paths.stateDir, socketDir: this.paths.socketDir });
  }

  /**
   * conmon forks a daemon and its parent returns before `crun create` is done; the sync pipe
   * (fd 3, named by _OCI_SYNCPIPE) says when: `{"data": pid}` or `{"data": -1, "message": …}`.
   * Its stdio must not be pipes we wait on, since the daemon keeps them open.
   */
  private spawnConmon(args: string[]): Promise<{ pid: number } | { error: Error }> {
    return new Promise((resolve) => {
      const child = spawn(this.tools.conmon, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: { ...process.env, _OCI_SYNCPIPE: '3' } });
      const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
      let text = '';
      let settled = false;
      const finish = (value: { pid: number } | { error: Error }): void => {
        if (settled) return;
        settled = true;
        pipe.destroy();
        resolve(value);
      };
      pipe.setEncoding('utf8');
      pipe.on('data', (chunk: string) => {
        text += chunk;
        const newline = text.indexOf('\n');
        if (newline < 0) return;
        try {
          const message = JSON.parse(text.slice(0, newline)) as { data?: number; message?: string };
          if (typeof message.data === 'number' && message.data > 0) finish({ pid: message.data });
          else finish({ error: new RuntimeError(message.message ?? `conmon reported ${text.slice(0, newline)}`) });
        } catch {
          finish({ error: new RuntimeError(`conmon sent an unreadable sync message: ${text.slice(0, 200)}`) });
        }
      });
      pipe.on('error', () => undefined);
      pipe.on('end', () => finish({ error: new RuntimeError('conmon ended without reporting the container (see syslog for its messages)') }));
      child.once('error', (error) => finish({ error }));
    });
  }

  /** The runtime's own error lines (crun --log), which say more than conmon's exit status. */
  private async runtimeMessage(bundle: string, error: unknown): Promise<string> {
    const log = await readFile(this.crunLog(bundle), 'utf8').catch(() => '');
    const messages = log
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          const parsed = JSON.parse(line) as { msg?: string };
          return parsed.msg ?? line;
        } catch {
          return line;
        }
      });
    if (messages.length > 0) return messages.join('; ');
    return error instanceof Error ? error.message : 'the runtime gave no reason';
  }

  async start(id: string, bundle: string): Promise<void> {
    try {
      await run(this.tools.crun, this.crunArgs('start', id));
    } catch (error) {
      throw new RuntimeError(`could not start the container: ${await this.runtimeMessage(bundle, error)}`);
    }
  }

  /** undefined when crun does not know the container. */
  async state(id: string): Promise<RuntimeState | undefined> {
    try {
      const { stdout } = await run(this.tools.crun, this.crunArgs('state', id));
      const parsed = JSON.parse(stdout) as { status?: string; pid?: number };
      const status = (['created', 'running', 'stopped', 'paused'] as const).find((s) => s === parsed.status) ?? 'unknown';
      return { status, pid: parsed.pid ?? 0 };
    } catch {
      return undefined;
    }
  }

  async kill(id: string, signal: string): Promise<void> {
    await run(this.tools.crun, this.crunArgs('kill', id, signal));
  }

  /** Removes the runtime's state (and kills what still runs). Fine when already gone. */
  async delete(id: string): Promise<void> {
    if ((await this.state(id)) === undefined) return;
    await run(this.tools.crun, this.crunArgs('delete', '--force', id));
  }

  /** The exit code, once conmon has written it. */
  async exitInfo(id: string): Promise<ExitInfo | undefined> {
    const path = join(this.paths.exitDir, id);
    try {
      const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      // conmon creates the file, then writes: an empty file is not finished yet.
      if (text.trim() === '') return undefined;
      const code = Number(text.trim());
      if (!Number.isInteger(code)) return undefined;
      return { exitCode: code, finishedAt: info.mtime };
    } catch {
      return undefined;
    }
  }

  async forgetExit(id: string): Promise<void> {
    await rm(join(this.paths.exitDir, id), { force: true });
  }

  /** Resolves when the container has exited (at once if it already has). */
  waitExit(id: string): Promise<ExitInfo> {
    return new Promise((resolve) => {
      let waiters = this.exitWaiters.get(id);
      if (waiters === undefined) this.exitWaiters.set(id, (waiters = new Set()));
      waiters.add(resolve);
      // The watcher was set up before this call, so an exit from now on is seen; this check
      // catches one that happened before.
      void this.checkOne(id);
    });
  }

  private async checkWaiters(): Promise<void> {
    await Promise.all([...this.exitWaiters.keys()].map((id) => this.checkOne(id)));
  }

  private async checkOne(id: string): Promise<void> {
    const info = await this.exitInfo(id);
    if (info === undefined) return;
    const waiters = this.exitWaiters.get(id);
    if (waiters === undefined) return;
    this.exitWaiters.delete(id);
    for (const wake of waiters) wake(info);
  }
}
