// The engine that runs in this process on a root directory: the image layout (content store
// and index) under `<root>/images`, layer snapshots and container mounts under `<root>/snapshots`
// and `<root>/mounts`, containers under `<root>/containers`, volumes under `<root>/volumes`, and
// the runtime's state under `<root>/run`. Opening it clears what a crash left in the ingest area, which is safe because
// serve holds the root's lock (rootLock.ts) before opening.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ConmonRuntime } from '../container/conmonRuntime';
import { ContainerStore } from '../container/containerStore';
import type { HostCheck } from '../host/hostCheck';
import { OverlaySnapshotter } from '../snapshot/overlaySnapshotter';
import { ContentStore } from '../store/contentStore';
import { ImageIndex } from '../store/imageIndex';
import { VolumeStore } from '../volume/volumeStore';
import { ContainerMounts } from './containerMounts';
import { ContainerService } from './containerService';
import type { Engine, EngineFacts } from './engine';
import { EngineError } from './engineError';
import { ExecService } from './execService';
import { EngineEvents } from './events';
import { ImageService } from './imageService';
import { snapshotRoots } from './snapshotRoots';
import { VolumeService } from './volumeService';

export class EmbeddedEngine implements Engine {
  private constructor(
    private readonly root: string,
    readonly images: ImageService,
    readonly containers: ContainerService,
    readonly execs: ExecService,
    readonly volumes: VolumeService,
    readonly events: EngineEvents,
    private readonly runtime: ConmonRuntime | undefined,
  ) {}

  /** `host` says whether containers can run here; without it the engine serves images only. */
  static async open(root: string, host: HostCheck = { ok: false, problems: ['the host was not checked for a container runtime'] }): Promise<EmbeddedEngine> {
    const layout = join(root, 'images');
    const store = await ContentStore.open(layout);
    // Nothing else writes here (the root is locked), so every ingest left behind is stale.
    await store.cleanIngests(0);
    const events = new EngineEvents();
    const index = new ImageIndex(layout);
    const containerStore = await ContainerStore.open(join(root, 'containers'));
    let runtime: ConmonRuntime | undefined;
    if (host.ok) {
      const run = join(root, 'run');
      runtime = new ConmonRuntime(host.tools, { stateDir: join(run, 'crun'), exitDir: join(run, 'exits'), socketDir: join(run, 'sock') });
      await runtime.init();
    }
    // A volume's users are the containers whose mounts name it, whatever their state.
    const volumes = new VolumeService(await VolumeStore.open(join(root, 'volumes')), events, (name) =>
      containerStore.list().filter((c) => (c.mounts ?? []).some((m) => m.type === 'volume' && m.source === name)).map((c) => c.id),
    );
    const mounts = new ContainerMounts({ volumes });
    const snapshotter = new OverlaySnapshotter(root);
    // Interrupted unpacks and removals of an earlier run (nothing unpacks yet: safe to sweep).
    await snapshotter.sweep();
    const containers = new ContainerService({ host, store: containerStore, runtime, snapshotter, content: store, index, events, mounts });
    await containers.recover();
    const collectSnapshots = async (): Promise<void> => {
      await snapshotter.collect(() => snapshotRoots(store, index, containers.list()));
    };
    const execs = new ExecService({
      store: containerStore,
      runtime: () => {
        if (runtime === undefined) throw new EngineError('unsupported', `berth cannot run containers on this host: ${host.ok ? 'the runtime is not set up' : host.problems.join('; ')}`);
        return runtime;
      },
      events,
    });
    const images = new ImageService(store, index, events, {
      usersOf: (id) => containers.list().filter((c) => c.imageId === id).map((c) => ({ id: c.id, running: c.state.status === 'running' })),
      collectSnapshots,
    });
    // Snapshots an earlier run left unneeded (e.g. it died between removing an image and its layers).
    await collectSnapshots();
    return new EmbeddedEngine(root, images, containers, execs, volumes, events, runtime);
  }

  /** Stops watching; running containers keep running under conmon. */
  close(): void {
    this.execs.close();
    this.runtime?.close();
  }

  facts(): EngineFacts {
    const digest = createHash('sha256').update(this.root).digest('hex').toUpperCase();
    // Docker's ID looks like `ABCD:EFGH:…`; derived from the root so it is stable across restarts.
    const id = digest.slice(0, 48).match(/.{4}/g)!.join(':');
    return { rootDir: this.root, id };
  }
}
