// The embedded engine's containers: Docker's rules (names, states, stop/kill/rm semantics,
// auto-remove, wait conditions) over the container store, the overlay snapshotter and the
// conmon+crun runtime. Every change is announced as an event; waits listen to those events.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { ContainerRecord, CreateRequest } from '../container/containerConfig';
import { readLog, type LogRecord } from '../container/containerLog';
import { generateName, NAME_RE } from '../container/containerNames';
import type { ContainerStore } from '../container/containerStore';
import type { ConmonRuntime } from '../container/conmonRuntime';
import { DEFAULT_NOFILE, ociSpec } from '../container/ociSpec';
import { combineCommand, mergeEnv, parseUser, resolveUser } from '../container/processArgs';
import type { HostCheck } from '../host/hostCheck';
import { NO_STDIO } from '../container/stdioConfig';
import { resolveImage } from '../image/imageInfo';
import { isMountPoint, type LayerToUnpack, type OverlaySnapshotter } from '../snapshot/overlaySnapshotter';
import type { ContentStore } from '../store/contentStore';
import type { Digest } from '../store/digest';
import type { ImageIndex } from '../store/imageIndex';
import { diskUsage } from '../volume/diskUsage';
import type { ContainerMounts } from './containerMounts';
import { attachContainerStdio, type ContainerAttachOptions, type ContainerStdio } from './containerStdio';
import { readRootfsEtcFile } from '../container/rootfsEtc';
import { planRecovery } from './containerRecovery';
import type { ContainerEngine, LogOptions, WaitCondition } from './engine';
import { EngineError } from './engineError';
import type { EngineEvent, EngineEvents } from './events';

const DEFAULT_STOP_TIMEOUT = 10;

export interface ContainerServiceDeps {
  host: HostCheck;
  store: ContainerStore;
  runtime: ConmonRuntime | undefined;
  snapshotter: OverlaySnapshotter;
  content: ContentStore;
  index: ImageIndex;
  events: EngineEvents;
  /** Mounts, volumes, capabilities and init (containerMounts.ts). */
  mounts: ContainerMounts;
}

export class ContainerService implements ContainerEngine {
  private readonly removing = new Map<string, Promise<void>>();

  constructor(private readonly deps: ContainerServiceDeps) {}

  /** After a restart: watch the containers that were running when the agent went away. */
  async recover(): Promise<void> {
    const runtime = this.deps.runtime;
    if (runtime === undefined) return;
    for (const record of this.deps.store.list()) {
      const action = planRecovery(record.state, await runtime.state(record.id), await runtime.exitInfo(record.id));
      switch (action.kind) {
        case 'keep':
          break;
        case 'discard-runtime':
          await runtime.delete(record.id);
          await runtime.forgetExit(record.id);
          break;
        case 'adopt':
          if (record.state.status !== 'running') {
            // Started just before the agent died: the record never heard.
            record.state = { status: 'running', pid: action.pid, exitCode: 0, startedAt: new Date().toISOString() };
            await this.deps.store.save(record);
          }
          this.monitor(record);
          break;
        case 'exited':
          await runtime.delete(record.id).catch(() => undefined);
          await this.recordExit(record, action.exitCode, action.finishedAt, action.error);
          break;
      }
    }
  }

  private runtime(): ConmonRuntime {
    if (!this.deps.host.ok || this.deps.runtime === undefined) {
      throw new EngineError('unsupported', `berth cannot run containers on this host: ${this.deps.host.ok ? 'the runtime is not set up' : this.deps.host.problems.join('; ')}`);
    }
    return this.deps.runtime;
  }

  private emit(record: ContainerRecord, action: EngineEvent['action'], extra: Record<string, string> = {}): void {
    this.deps.events.emit({ type: 'container', action, id: record.id, attributes: { name: record.name, image: record.image, ...record.config.labels, ...extra } });
  }

  private bundleDir(id: string): string {
    return join(this.deps.store.containerDir(id), 'bundle');
  }

  private logPath(id: string): string {
    return join(this.deps.store.containerDir(id), 'container.log');
  }

  async create(request: CreateRequest): Promise<{ id: string; warnings: string[] }> {
    this.runtime();
    const { store } = this.deps;
    if (request.name !== undefined) {
      if (!NAME_RE.test(request.name)) throw new EngineError('invalid-argument', `Invalid container name (${request.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const existing = store.nameInUse(request.name);
      if (existing !== undefined) {
        throw new EngineError('conflict', `Conflict. The container name "/${request.name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    }
    const image = await resolveImage(this.deps.content, this.deps.index, request.image);
    const imageConfig = image.config.config ?? {};
    const { entrypoint, cmd } = combineCommand({ entrypoint: request.entrypoint, cmd: request.cmd }, { entrypoint: imageConfig.Entrypoint, cmd: imageConfig.Cmd });
    const argv = [...entrypoint, ...cmd];
    if (argv.length === 0) throw new EngineError('invalid-argument', 'No command specified');
    const mounts = this.deps.mounts.plan(request, imageConfig);

    const id = randomBytes(32).toString('hex');
    const name = request.name ?? generateName((n) => store.nameInUse(n) !== undefined);
    const hostname = request.hostname ?? (request.networkMode === 'host' ? hostHostname() : id.slice(0, 12));
    const stdio = request.stdio ?? NO_STDIO;
    const record: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      image: request.image,
      imageId: image.id,
      path: argv[0],
      args: argv.slice(1),
      config: {
        hostname,
        // As dockerd: TERM=xterm with a terminal, unless the image or the user set it.
        env: mergeEnv([...(stdio.tty ? ['TERM=xterm'] : []), ...(imageConfig.Env ?? [])], request.env, hostname),
        cmd: request.cmd ?? imageConfig.Cmd,
        entrypoint: request.entrypoint ?? imageConfig.Entrypoint,
        workingDir: request.workingDir || imageConfig.WorkingDir || '/',
        user: request.user ?? imageConfig.User ?? '',
        labels: { ...(imageConfig.Labels ?? {}), ...request.labels },
        stopSignal: request.stopSignal ?? imageConfig.StopSignal ?? 'SIGTERM',
        stopTimeout: request.stopTimeout,
        ...(request.stdio !== undefined ? { stdio: request.stdio } : {}),
      },
      hostConfig: { networkMode: request.networkMode, autoRemove: request.autoRemove },
      run: request.run,
      mounts,
      diffIds: image.config.rootfs.diff_ids,
      state: { status: 'created', pid: 0, exitCode: 0 },
    };
    // Reserve the name and ID on disk first: a crash later leaves a record `rm` can clean up.
    await store.save(record);
    try {
      const layers = image.config.rootfs.diff_ids.map(
        (diffId, i): LayerToUnpack => ({ diffId, open: () => this.deps.content.createReadStream(image.manifest.layers[i].digest) }),
      );
      if (layers.length !== image.manifest.layers.length) throw new EngineError('invalid-argument', `image ${request.image} is inconsistent: its config lists ${layers.length} layers, its manifest ${image.manifest.layers.length}`);
      const { rootfs } = await this.deps.snapshotter.prepare(id, layers);
      await this.deps.mounts.prepare(record, rootfs);
      await this.writeBundle(record, rootfs);
      // conmon appends to the log; creating it now lets an attach before start open it at once.
      await writeFile(this.logPath(id), '', { flag: 'a' });
    } catch (error) {
      await this.deps.snapshotter.remove(id).catch(() => undefined);
      await store.delete(id);
      await this.deps.mounts.release(record, { removeAnonymous: true }).catch(() => undefined);
      throw error instanceof Error && !(error instanceof EngineError) ? new EngineError('invalid-argument', error.message) : error;
    }
    this.emit(record, 'create');
    return { id, warnings: [] };
  }

  /** config.json for the runtime; the user is resolved against the container's own /etc files. */
  private async writeBundle(record: ContainerRecord, rootfs: string): Promise<void> {
    const user = resolveUser(parseUser(record.config.user), await readRootfsEtcFile(rootfs, 'passwd'), await readRootfsEtcFile(rootfs, 'group'));
    const env = record.config.env.some((e) => e.startsWith('HOME=')) ? record.config.env : [...record.config.env, `HOME=${user.home}`];
    const extras = await this.deps.mounts.specExtras(record, [record.path, ...record.args]);
    const spec = ociSpec({
      rootfs,
      env,
      cwd: record.config.workingDir,
      uid: user.uid,
      gid: user.gid,
      additionalGids: user.additionalGids,
      hostname: record.config.hostname,
      network: record.hostConfig.networkMode,
      terminal: (record.config.stdio ?? NO_STDIO).tty,
      consoleSize: record.config.stdio?.consoleSize,
      nofile: Math.min(DEFAULT_NOFILE, await hardNofileLimit()),
      ...extras,
    });
    const bundle = this.bundleDir(record.id);
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  }

  list(): ContainerRecord[] {
    return this.deps.store.list();
  }

  inspect(ref: string): ContainerRecord {
    return this.deps.store.get(ref);
  }

  async start(ref: string): Promise<boolean> {
    const runtime = this.runtime();
    const record = this.deps.store.get(ref);
    if (record.state.status === 'running') return false;
    if (record.state.status === 'removing') throw new EngineError('conflict', `container ${record.id} is marked for removal and cannot be started`);
    const bundle = this.bundleDir(record.id);
    // A restarted agent or host may have lost the overlay mount; the upper dir is still there.
    const rootfs = this.deps.snapshotter.rootfsOf(record.id);
    if (!(await isMountPoint(rootfs))) {
      await this.deps.snapshotter.prepare(record.id, record.diffIds.map((diffId) => ({ diffId: diffId as Digest, open: () => Promise.reject(new Error(`layer ${diffId} is no longer unpacked`)) })));
    }
    // A previous run's runtime state and exit file would confuse this one.
    await runtime.delete(record.id);
    await runtime.forgetExit(record.id);
    try {
      const stdio = record.config.stdio ?? NO_STDIO;
      await runtime.create({
        id: record.id,
        name: record.name,
        bundle,
        logPath: this.logPath(record.id),
        terminal: stdio.tty,
        stdin: stdio.openStdin,
        leaveStdinOpen: !stdio.stdinOnce,
      });
      await runtime.start(record.id, bundle);
    } catch (error) {
      // As in Docker: a container that failed to start has exited (127), and waits and
      // attaches end; with --rm it goes away.
      const message = error instanceof Error ? error.message : String(error);
      await runtime.delete(record.id).catch(() => undefined);
      await this.recordExit(record, 127, new Date(), message);
      throw new EngineError('invalid-argument', message);
    }
    const state = await runtime.state(record.id);
    record.state = { status: 'running', pid: state?.pid ?? 0, exitCode: 0, startedAt: new Date().toISOString() };
    await this.deps.store.save(record);
    this.deps.mounts.started(record);
    this.emit(record, 'start');
    this.monitor(record);
    return true;
  }

  /** Records the exit when it comes: state, `die` event, runtime cleanup, auto-remove. */
  private monitor(record: ContainerRecord): void {
    const runtime = this.deps.runtime;
    if (runtime === undefined) return;
    void runtime.waitExit(record.id).then(async (exit) => {
      const current = this.deps.store.find(record.id);
      if (current === undefined) return;
      await runtime.delete(current.id).catch(() => undefined);
      await this.recordExit(current, exit.exitCode, exit.finishedAt);
    });
  }

  private async recordExit(record: ContainerRecord, exitCode: number, finishedAt: Date, error?: string): Promise<void> {
    record.state = { ...record.state, status: 'exited', pid: 0, exitCode, finishedAt: finishedAt.toISOString(), ...(error !== undefined ? { error } : {}) };
    await this.deps.store.save(record).catch(() => undefined);
    this.emit(record, 'die', { exitCode: String(exitCode) });
    if (record.hostConfig.autoRemove) await this.remove(record.id, { force: true, volumes: true }).catch((e) => process.stderr.write(`berth serve: auto-remove of ${record.id}: ${String(e)}\n`));
  }

  wait(ref: string, condition: WaitCondition): Promise<{ exitCode: number }> {
    const record = this.deps.store.get(ref);
    const { id } = record;
    if (condition === 'not-running' && record.state.status !== 'running') return Promise.resolve({ exitCode: record.state.exitCode });
    return new Promise((resolve) => {
      let exitCode = record.state.exitCode;
      const stop = this.deps.events.subscribe((event) => {
        if (event.type !== 'container' || event.id !== id) return;
        if (event.action === 'die') {
          exitCode = Number(event.attributes.exitCode ?? 0);
          if (condition !== 'removed') {
            stop();
            resolve({ exitCode });
          }
        } else if (event.action === 'destroy') {
          stop();
          resolve({ exitCode });
        }
      });
    });
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const record = this.deps.store.get(ref);
    if (record.state.status !== 'running') throw new EngineError('conflict', `Cannot kill container: ${ref}: Container ${record.id} is not running`);
    await this.runtime().kill(record.id, signal);
    this.emit(record, 'kill', { signal: signal.replace(/^SIG/, '') });
  }

  async stop(ref: string, timeoutSeconds?: number): Promise<boolean> {
    const runtime = this.runtime();
    const record = this.deps.store.get(ref);
    if (record.state.status !== 'running') return false;
    const timeout = timeoutSeconds ?? record.config.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
    const exited = runtime.waitExit(record.id);
    await runtime.kill(record.id, record.config.stopSignal).catch(() => undefined);
    this.emit(record, 'kill', { signal: record.config.stopSignal.replace(/^SIG/, '') });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = timeout < 0 ? new Promise<'timeout'>(() => undefined) : new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeout * 1000, 'timeout')));
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await runtime.kill(record.id, 'SIGKILL').catch(() => undefined);
      this.emit(record, 'kill', { signal: 'KILL' });
      await exited;
    }
    await this.settled(record.id);
    this.emit(record, 'stop');
    return true;
  }

  /** Resolves once the monitor has recorded the exit (the `die` event). */
  private settled(id: string): Promise<void> {
    const record = this.deps.store.find(id);
    if (record === undefined || record.state.status !== 'running') return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.deps.events.subscribe((event) => {
        if (event.type === 'container' && event.id === id && (event.action === 'die' || event.action === 'destroy')) {
          stop();
          resolve();
        }
      });
    });
  }

  remove(ref: string, options: { force: boolean; volumes?: boolean }): Promise<void> {
    const record = this.deps.store.get(ref);
    const pending = this.removing.get(record.id);
    if (pending !== undefined) return pending;
    if (record.state.status === 'running' && !options.force) {
      return Promise.reject(
        new EngineError('conflict', `You cannot remove a running container ${record.id}. Stop the container before attempting removal or force remove`),
      );
    }
    const work = this.removeNow(record, options.volumes === true).finally(() => this.removing.delete(record.id));
    this.removing.set(record.id, work);
    return work;
  }

  private async removeNow(record: ContainerRecord, volumes: boolean): Promise<void> {
    const runtime = this.deps.runtime;
    if (record.state.status === 'running' && runtime !== undefined) {
      const exited = runtime.waitExit(record.id);
      await runtime.kill(record.id, 'SIGKILL').catch(() => undefined);
      await exited;
      await this.settled(record.id);
    }
    await runtime?.delete(record.id);
    await runtime?.forgetExit(record.id);
    await this.deps.snapshotter.remove(record.id);
    await this.deps.store.delete(record.id);
    // Volumes go before `destroy`, as in Docker: whoever waits for the removal sees them gone.
    await this.deps.mounts.release(record, { removeAnonymous: volumes }).catch((e) => process.stderr.write(`berth serve: removing the volumes of ${record.id}: ${String(e)}\n`));
    this.emit(record, 'destroy');
  }

  async restart(ref: string, timeoutSeconds?: number): Promise<void> {
    const record = this.deps.store.get(ref);
    await this.stop(record.id, timeoutSeconds);
    await this.start(record.id);
    this.emit(record, 'restart');
  }

  async prune(matches: (record: ContainerRecord) => boolean): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const record of this.deps.store.list()) {
      if (record.state.status === 'running' || record.state.status === 'removing' || !matches(record)) continue;
      // What the container wrote: its overlay upper dir, next to the rootfs.
      const size = await diskUsage(join(dirname(this.deps.snapshotter.rootfsOf(record.id)), 'upper'));
      try {
        await this.remove(record.id, { force: false });
      } catch (error) {
        // As Docker: one container that cannot go does not stop the others; it stays listed.
        process.stderr.write(`berth serve: container prune: ${record.id}: ${error instanceof Error ? error.message : String(error)}\n`);
        continue;
      }
      deleted.push(record.id);
      spaceReclaimed += size;
    }
    return { deleted, spaceReclaimed };
  }

  async *logs(ref: string, options: LogOptions): AsyncGenerator<LogRecord> {
    const record = this.deps.store.get(ref);
    const done = options.follow && record.state.status === 'running' ? this.settled(record.id) : undefined;
    for await (const entry of readLog(this.logPath(record.id), { follow: done !== undefined, done, tail: options.tail, signal: options.signal })) {
      if (options.since !== undefined && entry.timeNano < options.since) continue;
      if (options.until !== undefined && entry.timeNano > options.until) return;
      yield entry;
    }
  }

  attachStdio(ref: string, options: ContainerAttachOptions): ContainerStdio {
    const record = this.deps.store.get(ref);
    const stdio = record.config.stdio ?? NO_STDIO;
    const facts = { id: record.id, running: record.state.status === 'running', tty: stdio.tty, openStdin: stdio.openStdin };
    return attachContainerStdio(facts, this.runtime(), this.deps.events, options);
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const record = this.deps.store.get(ref);
    if (record.state.status !== 'running') throw new EngineError('conflict', `Container ${record.id} is not running`);
    // Without a terminal there is nothing to size (the CLI only asks with one).
    if (!(record.config.stdio ?? NO_STDIO).tty) return;
    await this.runtime().resize(this.bundleDir(record.id), height, width);
  }
}

/** The hard RLIMIT_NOFILE of this process (Node has no getrlimit): a container cannot get more. */
async function hardNofileLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const match = /^Max open files\s+\S+\s+(\S+)/m.exec(limits);
  if (match === null || match[1] === 'unlimited') return DEFAULT_NOFILE;
  return Number(match[1]);
}
