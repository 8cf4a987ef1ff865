// `docker save`: images from the store as one tar stream in the format Docker 25+ writes, an OCI
// image layout (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) plus the legacy
// `manifest.json` and `repositories` pointing into blobs/, so Docker 20.10 (which reads only
// manifest.json and decompresses gzip layers itself), Docker 25+, containerd, skopeo and berth
// all load it. Blobs are copied as stored, streamed from the store, never buffered whole.
//
// Everything that can be checked is checked before the stream is handed out (names resolve,
// every blob is present with its size), so a caller can still answer "not found" instead of
// starting a download; a blob found corrupt while streaming ends the stream with an error.
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { ContentStore } from '../store/contentStore';
import type { Descriptor, Platform } from '../store/descriptor';
import { digestHex, type Digest } from '../store/digest';
import type { ImageIndex } from '../store/imageIndex';
import { MediaTypes } from '../store/mediaTypes';
import { parseImageReference } from '../store/references';
import { CONTAINERD_IMAGE_NAME_ANNOTATION, DOCKER_MANIFEST_FILE, OCI_INDEX_FILE, OCI_REF_NAME_ANNOTATION } from './archiveImages';
import { ImageError } from './imageError';
import { isUntaggedName } from './imageNames';
import { resolveImage, type ResolvedImage } from './imageInfo';

export interface SaveOptions {
  /** For names that point at a multi-platform index: which platform's image to save (default: the host's). */
  platform?: Platform;
}

interface SavedImage {
  image: ResolvedImage;
  /** Canonical `name:tag` references to record in the archive. */
  tags: string[];
}

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
/** Fixed times make the same images save to the same bytes. */
const MTIME = new Date(0);

/**
 * @param refs names (`busybox:1`; a bare repository such as `busybox` means all its tags, as in
 *   Docker) or image IDs (saved without a name).
 */
export async function saveArchive(store: ContentStore, index: ImageIndex, refs: string[], options: SaveOptions = {}): Promise<Readable> {
  if (refs.length === 0) throw new ImageError('not-found', 'nothing to save: name at least one image');
  const images = await selectImages(store, index, refs, options.platform);
  const blobs = await checkBlobs(store, images);

  const pack = tar.pack();
  // A consumer that stops early destroys the pack, which destroys the entry being written; that
  // and any failure of ours reach the consumer through the stream, so the events need no handler.
  pack.on('error', () => undefined);
  void writeArchive(store, pack, images, blobs).catch((error: Error) => pack.destroy(error));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

async function selectImages(store: ContentStore, index: ImageIndex, refs: string[], platform?: Platform): Promise<SavedImage[]> {
  const byId = new Map<Digest, SavedImage>();
  const add = (image: ResolvedImage, tag: string | undefined): void => {
    let saved = byId.get(image.id);
    if (saved === undefined) byId.set(image.id, (saved = { image, tags: [] }));
    if (tag !== undefined && !saved.tags.includes(tag)) saved.tags.push(tag);
  };
  for (const input of refs) {
    const repositoryOnly = isRepositoryOnly(input) ? parseImageReference(input).repository : undefined;
    const tagged = repositoryOnly === undefined ? [] : (await index.list()).filter((r) => isTag(r.name) && parseImageReference(r.name).repository === repositoryOnly);
    if (tagged.length > 0) {
      for (const record of tagged) add(await resolveImage(store, index, record.name, platform), record.name);
      continue;
    }
    const image = await resolveImage(store, index, input, platform);
    // A tagged name travels with the image; an ID or a digest reference does not name it.
    const named = image.names.find((name) => isTag(name) && safeCanonical(input) === name);
    add(image, named);
  }
  return [...byId.values()];
}

/** Every blob to write, each once, after checking the store has it at the right size. */
async function checkBlobs(store: ContentStore, images: SavedImage[]): Promise<Descriptor[]> {
  const blobs = new Map<Digest, Descriptor>();
  for (const { image } of images) {
    const label = image.names.find(isTag) ?? image.id;
    const parts: [string, Descriptor][] = [
      ['manifest', image.manifestDescriptor],
      ['config', image.manifest.config],
      ...image.manifest.layers.map((layer, i): [string, Descriptor] => [`layer ${i + 1}`, layer]),
    ];
    for (const [what, descriptor] of parts) {
      const info = await store.info(descriptor.digest);
      if (info === undefined || info.size !== descriptor.size) {
        throw new ImageError(
          'not-found',
          `cannot save ${label}: its ${what} ${descriptor.digest} is ${info === undefined ? 'missing from' : `${info.size} bytes instead of ${descriptor.size} in`} the content store` +
            ' (a layer of another platform, or a damaged store); pull or load the image again',
        );
      }
      blobs.set(descriptor.digest, descriptor);
    }
  }
  return [...blobs.values()];
}

async function writeArchive(store: ContentStore, pack: tar.Pack, images: SavedImage[], blobs: Descriptor[]): Promise<void> {
  await writeBytes(pack, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeDirectory(pack, 'blobs/');
  await writeDirectory(pack, 'blobs/sha256/');
  for (const blob of blobs) {
    if (pack.destroying) return;
    const source = await store.createReadStream(blob.digest);
    try {
      await writeStream(pack, blobPath(blob.digest), blob.size, source);
    } finally {
      source.destroy();
    }
  }
  await writeBytes(pack, OCI_INDEX_FILE, JSON.stringify(ociIndex(images)));
  await writeBytes(pack, DOCKER_MANIFEST_FILE, JSON.stringify(dockerManifest(images)));
  const repositories = legacyRepositories(images);
  if (Object.keys(repositories).length > 0) await writeBytes(pack, 'repositories', JSON.stringify(repositories));
  pack.finalize();
}

function ociIndex(images: SavedImage[]): object {
  const manifests: Descriptor[] = [];
  for (const { image, tags } of images) {
    const base: Descriptor = {
      mediaType: image.manifestDescriptor.mediaType,
      digest: image.manifestDescriptor.digest,
      size: image.manifestDescriptor.size,
      platform: { architecture: image.config.architecture, os: image.config.os, ...(image.config.variant !== undefined ? { variant: image.config.variant } : {}) },
    };
    if (tags.length === 0) manifests.push(base);
    // As Docker 25+ and containerd write it: the full name for containerd, the tag for OCI tools.
    for (const tag of tags) {
      manifests.push({ ...base, annotations: { [CONTAINERD_IMAGE_NAME_ANNOTATION]: tag, [OCI_REF_NAME_ANNOTATION]: parseImageReference(tag).tag ?? 'latest' } });
    }
  }
  return { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests };
}

function dockerManifest(images: SavedImage[]): object[] {
  return images.map(({ image, tags }) => ({
    Config: blobPath(image.manifest.config.digest),
    RepoTags: tags.length === 0 ? null : tags.map((tag) => parseImageReference(tag).familiar),
    Layers: image.manifest.layers.map((layer) => blobPath(layer.digest)),
  }));
}

/** `{repository: {tag: top layer}}`, for loaders older than manifest.json (Docker < 1.10). */
function legacyRepositories(images: SavedImage[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const { image, tags } of images) {
    const top = image.manifest.layers.at(-1);
    if (top === undefined) continue;
    for (const tag of tags) {
      const reference = parseImageReference(tag);
      const familiar = reference.familiar; // `name:tag`
      (out[familiar.slice(0, familiar.lastIndexOf(':'))] ??= {})[reference.tag ?? 'latest'] = digestHex(top.digest);
    }
  }
  return out;
}

function blobPath(digest: Digest): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

function isTag(name: string): boolean {
  return !isUntaggedName(name) && parseImageReference(name).digest === undefined;
}

/** `busybox` or `127.0.0.1:5000/app`: a repository with neither tag nor digest. */
function isRepositoryOnly(input: string): boolean {
  if (input.includes('@') || /^(?:sha256:)?[0-9a-f]{64}$/.test(input)) return false;
  return input.lastIndexOf(':') <= input.lastIndexOf('/') && safeCanonical(input) !== undefined;
}

function safeCanonical(input: string): string | undefined {
  try {
    return parseImageReference(input).canonical;
  } catch {
    return undefined;
  }
}

function writeDirectory(pack: tar.Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, type: 'directory', mode: DIR_MODE, mtime: MTIME }, (error) => (error ? reject(error) : resolve()));
  });
}

function writeBytes(pack: tar.Pack, name: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, mode: FILE_MODE, mtime: MTIME }, Buffer.from(text), (error) => (error ? reject(error) : resolve()));
  });
}

/** Copies `source` into one entry, waiting whenever the consumer of the archive is behind. */
async function writeStream(pack: tar.Pack, name: string, size: number, source: AsyncIterable<Buffer>): Promise<void> {
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const written = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  written.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  const sink = pack.entry({ name, size, mode: FILE_MODE, mtime: MTIME }, (error) => (error ? settle.reject(error) : settle.resolve()));
  sink.on('error', () => undefined); // reported through the callback above
  try {
    for await (const chunk of source) {
      if (sink.destroying || pack.destroying) throw new Error('the archive stream was closed before it was complete');
      if (!sink.write(chunk)) await drained(sink);
    }
  } catch (error) {
    sink.destroy(error as Error);
    throw error;
  }
  sink.end(undefined);
  await written;
}

function drained(sink: ReturnType<tar.Pack['entry']>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}
