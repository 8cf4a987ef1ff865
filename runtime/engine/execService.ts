// Exec sessions (Docker's semantics over conmon): kept in memory as dockerd keeps them, each with a
// directory under its container's (`exec/<id>`: process spec, pid file, control FIFOs, attach
// socket), removed once the process has ended. Sessions go with their container.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExecStartError } from '../container/conmonExec';
import type { ConmonRuntime } from '../container/conmonRuntime';
import type { ContainerStore } from '../container/containerStore';
import { execProcess } from '../container/execProcess';
import { parseUser, resolveUser, type ResolvedUser } from '../container/processArgs';
import { readRootfsEtcFile } from '../container/rootfsEtc';
import { EngineError } from './engineError';
import type { ExecConfig, ExecEngine, ExecInfo, ExecStarted, ExecStartOptions } from './execEngine';
import type { EngineEvents } from './events';

/** Ended sessions kept per container for `docker exec` inspection; older ones are forgotten. */
const KEEP_ENDED_PER_CONTAINER = 64;

export interface ExecServiceDeps {
  store: ContainerStore;
  /** Throws EngineError 'unsupported' when containers cannot run here. */
  runtime(): ConmonRuntime;
  events: EngineEvents;
}

interface Session {
  info: ExecInfo;
  state: 'created' | 'starting' | 'running' | 'ended';
  dir: string;
  endedAt?: number;
}

export class ExecService implements ExecEngine {
  private readonly sessions = new Map<string, Session>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ExecServiceDeps) {
    this.unsubscribe = deps.events.subscribe((event) => {
      if (event.type === 'container' && event.action === 'destroy') this.forgetContainer(event.id);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  create(containerRef: string, config: ExecConfig): string {
    const record = this.deps.store.get(containerRef);
    if (record.state.status !== 'running') throw notRunning(record.id);
    if (config.cmd.length === 0) throw new EngineError('invalid-argument', 'No exec command specified');
    this.deps.runtime();
    const id = randomBytes(32).toString('hex');
    const dir = join(this.deps.store.containerDir(record.id), 'exec', id);
    this.sessions.set(id, { info: { id, containerId: record.id, config, running: false, exitCode: null, pid: 0 }, state: 'created', dir });
    this.pruneEnded(record.id);
    return id;
  }

  inspect(id: string): ExecInfo {
    return { ...this.session(id).info };
  }

  private session(id: string): Session {
    const session = this.sessions.get(id);
    if (session === undefined) throw new EngineError('not-found', `No such exec instance: ${id}`);
    return session;
  }

  async start(id: string, options: ExecStartOptions): Promise<ExecStarted> {
    const session = this.session(id);
    const { info } = session;
    if (session.state === 'starting' || session.state === 'running') throw new EngineError('conflict', `Error: Exec command ${id} is already running`);
    if (session.state === 'ended') throw new EngineError('conflict', `Error: Exec command ${id} has already run`);
    const record = this.deps.store.get(info.containerId);
    if (record.state.status !== 'running') throw notRunning(record.id);
    const runtime = this.deps.runtime();
    session.state = 'starting';
    try {
      const bundle = join(this.deps.store.containerDir(record.id), 'bundle');
      const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: Record<string, unknown>; root: { path: string } };
      const user = info.config.user ? await this.resolveExecUser(spec.root.path, info.config.user) : undefined;
      const consoleSize = options.consoleSize ?? info.config.consoleSize;
      const process = execProcess(spec.process, { args: info.config.cmd, env: info.config.env, cwd: info.config.workingDir, user, terminal: info.config.tty, consoleSize });
      await mkdir(session.dir, { recursive: true, mode: 0o700 });
      const processSpecPath = join(session.dir, 'process.json');
      await writeFile(processSpecPath, JSON.stringify(process));
      const exec = await runtime.exec({
        containerId: record.id,
        containerName: record.name,
        sessionId: id,
        dir: session.dir,
        processSpecPath,
        terminal: info.config.tty,
        stdin: info.config.attachStdin && !options.detach,
        attach: !options.detach,
      });
      session.state = 'running';
      info.running = true;
      info.pid = exec.pid;
      const exited = exec.exited.then(async (code) => {
        await this.end(session, code);
        return code;
      });
      return { tty: info.config.tty, socket: exec.socket, exited };
    } catch (error) {
      if (error instanceof ExecStartError) {
        await this.end(session, error.exitCode);
        throw error;
      }
      await this.end(session, 126);
      if (error instanceof EngineError) throw error;
      // A bad user or a broken bundle: say what failed, as the exec's own error.
      throw new ExecStartError(error instanceof Error ? error.message : String(error), 126);
    }
  }

  private async resolveExecUser(rootfs: string, user: string): Promise<ResolvedUser> {
    try {
      return resolveUser(parseUser(user), await readRootfsEtcFile(rootfs, 'passwd'), await readRootfsEtcFile(rootfs, 'group'));
    } catch (error) {
      throw new ExecStartError(error instanceof Error ? error.message : String(error), 126);
    }
  }

  private async end(session: Session, exitCode: number): Promise<void> {
    session.state = 'ended';
    session.endedAt = Date.now();
    session.info.running = false;
    session.info.exitCode = exitCode;
    await rm(session.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const session = this.session(id);
    if (!session.info.config.tty || session.state !== 'running') return;
    await this.deps.runtime().resize(session.dir, height, width);
  }

  private forgetContainer(containerId: string): void {
    for (const [id, session] of this.sessions) if (session.info.containerId === containerId) this.sessions.delete(id);
  }

  private pruneEnded(containerId: string): void {
    const ended = [...this.sessions.values()].filter((s) => s.info.containerId === containerId && s.state === 'ended').sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    for (const session of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED_PER_CONTAINER))) this.sessions.delete(session.info.id);
  }
}

/** dockerd's wording (API 1.41). */
function notRunning(id: string): EngineError {
  return new EngineError('conflict', `Container ${id} is not running`);
}
