// The engine that runs in this process on a root directory: the image layout (content store
// and index) under `<root>/images`. Opening it clears what a crash left in the ingest area,
// which is safe because serve holds the root's lock (rootLock.ts) before opening.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ContentStore } from '../store/contentStore';
import { ImageIndex } from '../store/imageIndex';
import type { Engine, EngineFacts } from './engine';
import { EngineEvents } from './events';
import { ImageService } from './imageService';

export class EmbeddedEngine implements Engine {
  readonly events: EngineEvents;

  private constructor(
    private readonly root: string,
    readonly images: ImageService,
    events: EngineEvents,
  ) {
    this.events = events;
  }

  static async open(root: string): Promise<EmbeddedEngine> {
    const layout = join(root, 'images');
    const store = await ContentStore.open(layout);
    // Nothing else writes here (the root is locked), so every ingest left behind is stale.
    await store.cleanIngests(0);
    const events = new EngineEvents();
    return new EmbeddedEngine(root, new ImageService(store, new ImageIndex(layout), events), events);
  }

  facts(): EngineFacts {
    const digest = createHash('sha256').update(this.root).digest('hex').toUpperCase();
    // Docker's ID looks like `ABCD:EFGH:…`; derived from the root so it is stable across restarts.
    const id = digest.slice(0, 48).match(/.{4}/g)!.join(':');
    return { rootDir: this.root, id };
  }
}
