// Garbage collection of the content store: mark every blob reachable from the image index
// (index → manifests and indexes → configs and layers) and from extra roots, then delete the
// rest. Only blobs/ is swept; ingests in progress live in ingest/ and are never touched.
//
// What GC cannot see: a pull or build that has written blobs but not yet named its image. The
// caller protects those by passing them as roots, or by a grace period: blobs written (or
// re-ingested, which touches them) within gracePeriodMs are kept.
import { stat } from 'node:fs/promises';
import type { ContentStore } from './contentStore';
import type { Descriptor } from './descriptor';
import { parseDigest, type Digest } from './digest';
import type { ImageIndex } from './imageIndex';
import { childDescriptors, MAX_MANIFEST_SIZE, parseManifest } from './manifest';
import { isIndexMediaType, isManifestMediaType } from './mediaTypes';

export interface GcOptions {
  /**
   * More things to keep. A descriptor is followed like an index entry (a manifest keeps its
   * config and layers); a bare digest keeps just that blob.
   */
  roots?: Iterable<Descriptor | Digest>;
  /** Keep unreferenced blobs modified less than this long ago. Default 0. */
  gracePeriodMs?: number;
  /** Report what would be removed without removing it. */
  dryRun?: boolean;
}

export interface GcResult {
  removed: Digest[];
  bytesFreed: number;
  /** Blobs kept because something references them. */
  kept: number;
  /** Unreferenced blobs kept because they are younger than the grace period. */
  recent: Digest[];
  /** Referenced manifests or indexes that are not in the store (e.g. other platforms of a multi-platform image). */
  missing: Digest[];
}

export class GcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GcError';
  }
}

interface Pending {
  descriptor: Descriptor | { digest: Digest; mediaType?: undefined };
  /** How we got here, for error messages: `image docker.io/library/busybox:latest`. */
  via: string;
}

export async function collectGarbage(store: ContentStore, index: ImageIndex, options: GcOptions = {}): Promise<GcResult> {
  const started = Date.now();
  const pending: Pending[] = [];
  for (const record of await index.list()) pending.push({ descriptor: record.descriptor, via: `image ${record.name}` });
  for (const root of options.roots ?? []) {
    if (typeof root === 'string') pending.push({ descriptor: { digest: parseDigest(root) }, via: 'a pinned root' });
    else pending.push({ descriptor: root, via: `pinned root ${root.digest}` });
  }

  const { marked, missing } = await mark(store, pending);
  const result: GcResult = { removed: [], bytesFreed: 0, kept: 0, recent: [], missing };
  const grace = options.gracePeriodMs ?? 0;
  for await (const digest of store.list()) {
    if (marked.has(digest)) {
      result.kept++;
      continue;
    }
    const found = await statIfExists(store.path(digest));
    if (found === undefined) continue; // deleted by someone else meanwhile
    if (started - found.mtimeMs < grace) {
      result.recent.push(digest);
      continue;
    }
    if (!options.dryRun && !(await store.delete(digest))) continue;
    result.removed.push(digest);
    result.bytesFreed += found.size;
  }
  return result;
}

async function mark(store: ContentStore, pending: Pending[]): Promise<{ marked: Set<Digest>; missing: Digest[] }> {
  const marked = new Set<Digest>();
  const missing: Digest[] = [];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { descriptor, via } = item;
    if (marked.has(descriptor.digest)) continue;
    marked.add(descriptor.digest);
    const mediaType = descriptor.mediaType;
    if (mediaType === undefined || !(isIndexMediaType(mediaType) || isManifestMediaType(mediaType))) continue;
    if (!(await store.has(descriptor.digest))) {
      missing.push(descriptor.digest);
      continue;
    }
    let children: Descriptor[];
    try {
      children = childDescriptors(parseManifest(await store.readBytes(descriptor.digest, MAX_MANIFEST_SIZE), mediaType));
    } catch (error) {
      // Deleting on a partial view would destroy the layers of the unreadable image: stop instead.
      throw new GcError(
        `garbage collection stopped before deleting anything: ${mediaType} ${descriptor.digest} (reached from ${via}) cannot be read: ${(error as Error).message}. ` +
          'Remove that image (or pull it again) and run gc again.',
      );
    }
    for (const child of children) pending.push({ descriptor: child, via: `${via} → ${descriptor.digest}` });
  }
  return { marked, missing };
}

async function statIfExists(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
