// `docker push`: send a named image's blobs, then its manifest(s), to a registry. Each blob is
// checked first (HEAD) and skipped when the repository has it; a blob known to be in another
// repository of the same registry is mounted from there (no bytes move); the rest are uploaded,
// in one PUT or in PATCH chunks. Manifests go last, so the registry never holds a tag whose
// blobs are missing. Bytes are read from the content store, which verifies them as they stream.
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import type { ContentStore } from '../store/contentStore';
import type { Descriptor } from '../store/descriptor';
import type { Digest } from '../store/digest';
import type { ImageIndex } from '../store/imageIndex';
import { childDescriptors, MAX_MANIFEST_SIZE, parseManifest, type ParsedManifest } from '../store/manifest';
import { parseImageReference, type ImageReference } from '../store/references';
import { platformName, selectPlatformManifest } from '../image/platform';
import type { BlobSources } from './blobSources';
import { runBounded } from './boundedTasks';
import { byteProgress, shortId, type ProgressListener } from './progress';
import { DEFAULT_PULL_PLATFORM, type WriteGuard } from './pull';
import { RegistryError } from './registryError';
import type { RepositoryClient } from './repositoryClient';

export interface PushOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Blobs uploaded at once (Docker: 5). */
  concurrency?: number;
  /** Upload blobs larger than this in PATCH chunks of this size; default: one monolithic PUT. */
  chunkSize?: number;
  /** Where blobs are known to be, for cross-repository mounts; push records what it sent. */
  sources?: BlobSources;
  /** Keeps GC from deleting the image's blobs while they are read. */
  gate?: WriteGuard;
}

export interface PushResult {
  reference: ImageReference;
  tag: string;
  /** Digest and size of what the tag now points at in the registry. */
  digest: Digest;
  size: number;
  mediaType: string;
  pushed: Digest[];
  existed: Digest[];
  mounted: { digest: Digest; from: string }[];
}

export interface PushContext {
  store: ContentStore;
  index: ImageIndex;
  /** Opens the repository for push, with pull scope on `mountSources` of the same registry. */
  open(reference: ImageReference, mountSources: string[]): RepositoryClient;
}

interface ManifestToPush {
  bytes: Buffer;
  descriptor: Descriptor;
  parsed: ParsedManifest;
}

export async function pushImage(context: PushContext, input: string, options: PushOptions = {}): Promise<PushResult> {
  const reference = parseImageReference(input);
  if (reference.digest !== undefined) {
    throw new RegistryError('unsupported', `cannot push ${input}: push a tag (repository:tag), not a digest`, { registry: reference.domain, repository: reference.path });
  }
  const run = () => pushNamed(context, reference, options);
  return options.gate !== undefined ? options.gate.withShared(run) : run();
}

async function pushNamed(context: PushContext, reference: ImageReference, options: PushOptions): Promise<PushResult> {
  const emit = options.onProgress ?? (() => {});
  const signal = options.signal;
  const tag = reference.tag ?? 'latest';
  const where = { registry: reference.domain, repository: reference.path };
  const record = await context.index.get(reference.canonical);
  if (record === undefined) {
    throw new RegistryError('not-found', `no local image is named ${reference.familiar}; tag the image you mean first (\`berth tag IMAGE ${reference.familiar}\`), then push`, where);
  }
  const manifests = await manifestsToPush(context.store, record.descriptor, reference);
  const top = manifests[manifests.length - 1];

  const blobs = new Map<Digest, { descriptor: Descriptor; layer: boolean }>();
  for (const m of manifests) {
    if (m.parsed.kind !== 'manifest') continue;
    for (const layer of m.parsed.manifest.layers) if (!blobs.has(layer.digest)) blobs.set(layer.digest, { descriptor: layer, layer: true });
    const config = m.parsed.manifest.config;
    if (!blobs.has(config.digest)) blobs.set(config.digest, { descriptor: config, layer: false });
  }
  for (const { descriptor } of blobs.values()) {
    if ((await context.store.info(descriptor.digest))?.size !== descriptor.size) {
      throw new RegistryError('not-found', `cannot push ${reference.familiar}: its blob ${descriptor.digest} is missing from the local store or damaged; pull, load or build the image again, then push`, { ...where, digest: descriptor.digest });
    }
  }
  const mountFrom = new Map<Digest, string>();
  for (const digest of blobs.keys()) {
    const from = (await options.sources?.sourcesOf(digest, reference.domain))?.find((path) => path !== reference.path);
    if (from !== undefined) mountFrom.set(digest, from);
  }
  const repo = context.open(reference, [...new Set(mountFrom.values())]);

  emit({ status: `The push refers to repository [${reference.repository}]` });
  const items = [...blobs.values()];
  const concurrency = options.concurrency ?? 5;
  for (const item of items) if (item.layer) emit({ id: shortId(item.descriptor.digest), digest: item.descriptor.digest, status: 'Preparing' });
  items.forEach((item, i) => {
    if (item.layer && i >= concurrency) emit({ id: shortId(item.descriptor.digest), digest: item.descriptor.digest, status: 'Waiting' });
  });

  const result: PushResult = { reference, tag, digest: top.descriptor.digest, size: top.descriptor.size, mediaType: top.descriptor.mediaType, pushed: [], existed: [], mounted: [] };
  await runBounded(
    items,
    concurrency,
    async ({ descriptor, layer }, blobSignal) => {
      const id = shortId(descriptor.digest);
      const say = (status: string) => layer && emit({ id, digest: descriptor.digest, status });
      if ((await repo.headBlob(descriptor.digest, blobSignal)) !== undefined) {
        result.existed.push(descriptor.digest);
        say('Layer already exists');
        return;
      }
      const from = mountFrom.get(descriptor.digest);
      const start = await repo.startUpload(from !== undefined ? { digest: descriptor.digest, from } : undefined, blobSignal);
      if (start.kind === 'mounted') {
        result.mounted.push({ digest: descriptor.digest, from: from! });
        say(`Mounted from ${from}`);
        return;
      }
      await upload(context.store, repo, descriptor, start.location, options.chunkSize, layer ? byteProgress(emit, descriptor.digest, 'Pushing', descriptor.size) : () => {}, blobSignal);
      result.pushed.push(descriptor.digest);
      say('Pushed');
    },
    signal,
  );

  // Manifests last: children of an index by digest, then the tag.
  for (const m of manifests) {
    const ref = m === top ? tag : m.descriptor.digest;
    const claimed = await repo.putManifest(ref, m.descriptor.mediaType, m.bytes, signal);
    if (claimed !== undefined && claimed !== m.descriptor.digest) {
      throw new RegistryError('untrusted-content', `registry ${reference.domain} stored manifest ${ref} of ${reference.path} as ${claimed}, but its bytes hash to ${m.descriptor.digest}; the registry changed the manifest, so pulls by digest will not match`, { ...where, digest: m.descriptor.digest });
    }
  }
  await options.sources?.record([...blobs.keys(), ...manifests.map((m) => m.descriptor.digest)], reference.domain, reference.path);
  emit({ status: `${tag}: digest: ${result.digest} size: ${result.size}` });
  return result;
}

/** The manifests to send, the one the tag names last. A partially stored index pushes just the host platform's manifest. */
async function manifestsToPush(store: ContentStore, descriptor: Descriptor, reference: ImageReference): Promise<ManifestToPush[]> {
  const read = async (d: Descriptor): Promise<ManifestToPush> => {
    const bytes = await store.readBytes(d.digest, MAX_MANIFEST_SIZE);
    return { bytes, descriptor: { mediaType: d.mediaType, digest: d.digest, size: bytes.length }, parsed: parseManifest(bytes, d.mediaType) };
  };
  const top = await read(descriptor);
  if (top.parsed.kind === 'manifest') return [top];
  const children = childDescriptors(top.parsed);
  const present: Descriptor[] = [];
  for (const child of children) if (await store.has(child.digest)) present.push(child);
  if (present.length === children.length) {
    const out: ManifestToPush[] = [];
    for (const child of children) out.push(await read(child));
    return [...out, top];
  }
  const chosen = selectPlatformManifest(top.parsed.index, (d) => present.some((p) => p.digest === d.digest), DEFAULT_PULL_PLATFORM);
  if (chosen === undefined) {
    throw new RegistryError('unsupported', `${reference.familiar} is a multi-platform index and the store has no ${platformName(DEFAULT_PULL_PLATFORM)} manifest of it to push`, { registry: reference.domain, repository: reference.path });
  }
  return [await read(chosen)];
}

async function upload(store: ContentStore, repo: RepositoryClient, descriptor: Descriptor, location: URL, chunkSize: number | undefined, onBytes: (n: number) => void, signal: AbortSignal): Promise<void> {
  const source = await store.createReadStream(descriptor.digest);
  if (chunkSize === undefined || descriptor.size <= chunkSize) {
    // pipeline carries a verification failure at the end of the stored blob into the request body.
    const body = new ByteCounter(onBytes);
    pipeline(source, body, () => {});
    await repo.putBlob(location, descriptor.digest, descriptor.size, body, signal);
    return;
  }
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let next = location;
  const flush = async (): Promise<void> => {
    const chunk = Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    next = await repo.patchChunk(next, chunk, offset, signal);
    offset += chunk.length;
    onBytes(offset);
  };
  try {
    for await (const piece of source as AsyncIterable<Buffer>) {
      let rest = piece;
      while (rest.length > 0) {
        const take = Math.min(rest.length, chunkSize - pendingSize);
        pending.push(rest.subarray(0, take));
        pendingSize += take;
        rest = rest.subarray(take);
        if (pendingSize === chunkSize) await flush();
      }
    }
    if (pendingSize > 0) await flush();
  } finally {
    source.destroy();
  }
  await repo.finishUpload(next, descriptor.digest, signal);
}

class ByteCounter extends Transform {
  private count = 0;
  constructor(private readonly onBytes: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    this.onBytes(this.count);
    callback(null, chunk);
  }
}
