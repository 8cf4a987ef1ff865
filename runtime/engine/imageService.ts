// The embedded engine's image operations over the content store and the image index, in
// Docker's terms (tag, rmi, prune, load, save, import), each announcing what it changed through
// the event emitter. Reading, loading and saving are the image modules' work; this file adds
// Docker's rules about names: which name an rmi removes, when an image is gone, what dangles.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ContentStore, IngestSource } from '../store/contentStore';
import type { Digest } from '../store/digest';
import { collectGarbage } from '../store/gc';
import type { ImageIndex } from '../store/imageIndex';
import { parseImageReference, type ImageReference } from '../store/references';
import { imageHistory, readCatalog, resolveImage, summarizeImage, type ImageHistoryItem, type ImageSummary, type ResolvedImage } from '../image/imageInfo';
import { importRootfs } from '../image/importRootfs';
import { isUntaggedName, untaggedName } from '../image/imageNames';
import { loadArchive } from '../image/loadArchive';
import { hostPlatform } from '../image/platform';
import { saveArchive } from '../image/saveArchive';
import type { ImageDeleteItem, ImageEngine, ImageListResult, ImportImageOptions, PruneResult, RemoveImageOptions } from './engine';
import { EngineError } from './engineError';
import type { EngineEvents } from './events';
import { GcGate } from './gate';

/** A container that uses an image. */
export interface ImageUser {
  id: string;
  running: boolean;
}

export interface ImageServiceHooks {
  /** The containers made from an image: they decide whether an rmi or prune may remove it. */
  usersOf?: (imageId: Digest) => ImageUser[];
  /** Called after blobs were collected, to drop layer snapshots nothing needs any more. */
  collectSnapshots?: () => Promise<void>;
}

/** A name a user may give an image: `repository[:tag]`, outside berth's reserved io.berth/ names. */
function userTag(input: string): ImageReference {
  const reference = parseImageReference(input);
  if (reference.digest !== undefined) throw new EngineError('invalid-argument', `cannot name an image with a digest reference ${JSON.stringify(input)}: give repository[:tag]`);
  if (reference.domain === 'io.berth') throw new EngineError('invalid-argument', `${input}: names under io.berth/ are reserved for berth's own bookkeeping; choose another repository`);
  return reference;
}

export class ImageService implements ImageEngine {
  private readonly gate = new GcGate();

  constructor(
    private readonly store: ContentStore,
    private readonly index: ImageIndex,
    private readonly events: EngineEvents,
    private readonly hooks: ImageServiceHooks = {},
  ) {}

  private usedBy(imageId: Digest): ImageUser | undefined {
    const users = this.hooks.usersOf?.(imageId) ?? [];
    // A running user decides (it blocks even a forced removal), so report it first.
    return users.find((user) => user.running) ?? users[0];
  }

  async list(): Promise<ImageListResult> {
    const catalog = await readCatalog(this.store, this.index);
    return { images: catalog.images.map(summarizeImage), unreadable: catalog.unreadable };
  }

  async inspect(ref: string): Promise<ImageSummary> {
    return summarizeImage(await resolveImage(this.store, this.index, ref));
  }

  async history(ref: string): Promise<ImageHistoryItem[]> {
    return imageHistory(await resolveImage(this.store, this.index, ref));
  }

  async tag(source: string, target: string): Promise<void> {
    const reference = userTag(target);
    const image = await resolveImage(this.store, this.index, source);
    const previous = await this.index.get(reference.canonical);
    await this.index.set(reference.canonical, image.manifestDescriptor);
    // Now that the image has a name it no longer needs the placeholder that kept it alive.
    for (const name of image.names) if (isUntaggedName(name)) await this.index.delete(name);
    if (previous !== undefined && previous.descriptor.digest !== image.manifestDescriptor.digest) await this.keepDangling(previous.descriptor);
    this.events.emit({ type: 'image', action: 'tag', id: image.id, attributes: { name: reference.familiar } });
  }

  /**
   * `docker rmi`, with moby's rules: a name goes first (refused while a container uses the
   * image through its only name, unless forced); the image itself goes with its last name,
   * except that an image a running container uses stays, untagged, even when forced; a
   * stopped container's image goes only by force (the container keeps its unpacked layers).
   */
  async remove(ref: string, options: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
    const image = await resolveImage(this.store, this.index, ref);
    const force = options.force === true;
    const user = this.usedBy(image.id);
    const shortId = image.id.slice(7, 19);
    const byName = await this.namedRecord(ref);
    const items: ImageDeleteItem[] = [];
    let remaining = image.names;
    if (byName !== undefined && !isUntaggedName(byName)) {
      const tagged = image.names.filter((name) => !isUntaggedName(name));
      if (user !== undefined && !force && tagged.length === 1) {
        throw new EngineError('conflict', `conflict: unable to remove repository reference "${ref}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${shortId}`);
      }
      remaining = await this.untag(image, byName, items);
      // Digest names of the same repository go with its last tag, as in Docker.
      const repository = parseImageReference(byName).repository;
      const sameRepo = remaining.filter((name) => !isUntaggedName(name) && parseImageReference(name).repository === repository);
      if (sameRepo.every((name) => parseImageReference(name).digest !== undefined)) {
        for (const name of sameRepo) remaining = await this.untag(image, name, items);
      }
      if (remaining.some((name) => !isUntaggedName(name))) return items;
      if (user?.running === true) {
        // The untag was the request; the image stays for its running container, untagged.
        await this.keepDangling(image.manifestDescriptor);
        return items;
      }
    } else {
      const repositories = new Set(image.names.filter((name) => !isUntaggedName(name)).map((name) => parseImageReference(name).repository));
      if (repositories.size > 1 && !force) {
        throw new EngineError('conflict', `conflict: unable to delete ${shortId} (must be forced) - image is referenced in multiple repositories`);
      }
      if (user?.running === true) {
        throw new EngineError('conflict', `conflict: unable to delete ${shortId} (cannot be forced) - image is being used by running container ${user.id.slice(0, 12)}`);
      }
      if (user !== undefined && !force) {
        throw new EngineError('conflict', `conflict: unable to delete ${shortId} (must be forced) - image is being used by stopped container ${user.id.slice(0, 12)}`);
      }
    }
    for (const name of remaining) await this.untag(image, name, items);
    items.push({ deleted: image.id });
    this.events.emit({ type: 'image', action: 'delete', id: image.id, attributes: { name: image.id } });
    if (options.noPrune !== true) await this.collect();
    return items;
  }

  async prune(options: { all: boolean }): Promise<PruneResult> {
    const { images } = await this.list();
    const items: ImageDeleteItem[] = [];
    for (const summary of images) {
      const dangling = summary.names.every(isUntaggedName);
      if (!dangling && !options.all) continue;
      if (this.usedBy(summary.id) !== undefined) continue;
      for (const name of summary.names) {
        await this.index.delete(name);
        if (!isUntaggedName(name)) this.announceUntag(summary.id, name, items);
      }
      items.push({ deleted: summary.id });
      this.events.emit({ type: 'image', action: 'delete', id: summary.id, attributes: { name: summary.id } });
    }
    const bytesFreed = items.length > 0 ? await this.collect() : 0;
    return { items, bytesFreed };
  }

  async load(source: IngestSource, onProgress?: (line: string) => void): Promise<void> {
    const result = await this.gate.withShared(() => loadArchive(this.store, this.index, source, { onProgress }));
    for (const loaded of result.loaded) {
      const name = loaded.ref !== undefined ? parseImageReference(loaded.ref).familiar : loaded.id;
      this.events.emit({ type: 'image', action: 'load', id: loaded.id, attributes: { name } });
    }
  }

  async save(refs: string[]): Promise<Readable> {
    const release = await this.gate.acquireShared();
    try {
      const stream = await saveArchive(this.store, this.index, refs);
      stream.once('close', release);
      return stream;
    } catch (error) {
      release();
      throw error;
    }
  }

  async importRootfs(source: IngestSource, ref: string | undefined, options: ImportImageOptions = {}): Promise<Digest> {
    if (ref !== undefined) userTag(ref);
    const host = hostPlatform();
    if (options.platform !== undefined && options.platform !== `${host.os}/${host.architecture}`) {
      throw new EngineError('unsupported', `berth imports only for ${host.os}/${host.architecture}, not ${options.platform}`);
    }
    return this.gate.withShared(async () => {
      // An unnamed import is stored under a temporary name, then under its untagged name.
      const name = ref ?? `io.berth/importing:${randomBytes(8).toString('hex')}`;
      const result = await importRootfs(this.store, this.index, source, name, { message: options.message, onProgress: options.onProgress });
      if (ref === undefined) {
        await this.index.set(untaggedName(result.manifest.digest), result.manifest);
        await this.index.delete(name);
      }
      const shown = ref === undefined ? result.id : parseImageReference(result.ref).familiar;
      this.events.emit({ type: 'image', action: 'import', id: result.id, attributes: { name: shown } });
      return result.id;
    });
  }

  /** The canonical index name `input` spells, if it is one (not an ID). */
  private async namedRecord(input: string): Promise<string | undefined> {
    try {
      return (await this.index.get(input))?.name;
    } catch {
      return undefined;
    }
  }

  /** Removes one name; returns the names the image still has. */
  private async untag(image: ResolvedImage, name: string, items: ImageDeleteItem[]): Promise<string[]> {
    await this.index.delete(name);
    if (!isUntaggedName(name)) this.announceUntag(image.id, name, items);
    image.names = image.names.filter((n) => n !== name);
    return image.names;
  }

  private announceUntag(id: Digest, name: string, items: ImageDeleteItem[]): void {
    const familiar = parseImageReference(name).familiar;
    items.push({ untagged: familiar });
    this.events.emit({ type: 'image', action: 'untag', id, attributes: { name: familiar } });
  }

  /** An image that lost its last name to a re-tag stays, untagged, as in Docker (`<none>`). */
  private async keepDangling(descriptor: { digest: Digest; mediaType: string; size: number }): Promise<void> {
    if ((await this.index.byDigest(descriptor.digest)).length === 0) {
      await this.index.set(untaggedName(descriptor.digest), { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size });
    }
  }

  /** Deletes blobs no name reaches, then snapshots no image or container needs; returns the blob bytes freed. */
  private async collect(): Promise<number> {
    const result = await this.gate.withExclusive(() => collectGarbage(this.store, this.index));
    await this.hooks.collectSnapshots?.();
    return result.bytesFreed;
  }
}
