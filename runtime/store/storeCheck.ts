// A consistency check of the image layout, as `fsck` is for a file system: every blob still
// hashes to its name, and every name in index.json leads to a complete image (its manifest,
// config and every layer present with the size the descriptor says). This is the property the
// store's write ordering promises after a crash; the crash suite and `berth check` use it.
import type { ContentStore } from './contentStore';
import type { Descriptor } from './descriptor';
import type { Digest } from './digest';
import type { ImageIndex } from './imageIndex';
import { childDescriptors, MAX_MANIFEST_SIZE, parseManifest } from './manifest';
import { isIndexMediaType, isManifestMediaType } from './mediaTypes';

export interface StoreCheckResult {
  /** Each problem says what is wrong with which blob or name. Empty: the store is consistent. */
  problems: string[];
  blobs: number;
  names: number;
}

export async function checkStore(store: ContentStore, index: ImageIndex): Promise<StoreCheckResult> {
  const problems: string[] = [];
  let blobs = 0;
  for await (const digest of store.list()) {
    blobs++;
    const problem = await verifyBlob(store, digest);
    if (problem !== undefined) problems.push(problem);
  }
  const records = await index.list();
  const seen = new Set<Digest>();
  for (const record of records) {
    for (const problem of await checkGraph(store, record.descriptor, seen)) problems.push(`image ${record.name}: ${problem}`);
  }
  return { problems, blobs, names: records.length };
}

async function verifyBlob(store: ContentStore, digest: Digest): Promise<string | undefined> {
  try {
    const stream = await store.createReadStream(digest);
    for await (const chunk of stream) void chunk;
    return undefined;
  } catch (error) {
    return `blob ${digest}: ${(error as Error).message}`;
  }
}

/** Walks index → manifests → config and layers; `seen` avoids rechecking shared blobs. */
async function checkGraph(store: ContentStore, root: Descriptor, seen: Set<Digest>): Promise<string[]> {
  const problems: string[] = [];
  const pending: Descriptor[] = [root];
  for (let descriptor = pending.pop(); descriptor !== undefined; descriptor = pending.pop()) {
    if (seen.has(descriptor.digest)) continue;
    seen.add(descriptor.digest);
    const info = await store.info(descriptor.digest);
    if (info === undefined) {
      // An index may list other platforms' manifests that were never stored: that is normal.
      if (descriptor !== root && isManifestMediaType(descriptor.mediaType) && isIndexMediaType(root.mediaType)) continue;
      problems.push(`${descriptor.mediaType} ${descriptor.digest} is missing`);
      continue;
    }
    if (info.size !== descriptor.size) {
      problems.push(`${descriptor.digest} is ${info.size} bytes, its descriptor says ${descriptor.size}`);
      continue;
    }
    if (!isIndexMediaType(descriptor.mediaType) && !isManifestMediaType(descriptor.mediaType)) continue;
    try {
      pending.push(...childDescriptors(parseManifest(await store.readBytes(descriptor.digest, MAX_MANIFEST_SIZE), descriptor.mediaType)));
    } catch (error) {
      problems.push(`${descriptor.digest} cannot be read: ${(error as Error).message}`);
    }
  }
  return problems;
}
