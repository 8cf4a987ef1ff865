// `docker load`: images from a `docker save` archive (Docker's legacy layout, or the OCI layout
// plus manifest.json that Docker 25+ writes; plain or gzip-compressed) into the content store.
//
// Order, for crash safety and so a bad archive names nothing: (1) every file of the archive is
// ingested as it streams past; (2) every image is checked: its config parses, each layer's
// uncompressed digest equals its diff_id; (3) manifests are written; (4) only then are names
// set. A rejected archive leaves no name behind, only unreferenced blobs for `berth gc`.
//
// Untagged images (RepoTags empty, Docker's `<none>:<none>`) are kept under
// `io.berth/untagged@<manifest digest>` (see imageNames.ts) unless a name already points at them.
import type { ContentStore, IngestSource } from '../store/contentStore';
import type { Descriptor, Platform } from '../store/descriptor';
import type { Digest } from '../store/digest';
import { parseImageConfig, type ImageConfig } from '../store/imageConfig';
import type { ImageIndex } from '../store/imageIndex';
import { parseImageReference } from '../store/references';
import { InvalidDocumentError } from '../store/untrustedJson';
import { ArchiveContents } from './archiveContents';
import { archiveImages, MAX_ARCHIVE_JSON_SIZE, type ArchiveImage } from './archiveImages';
import { decompress, digestUncompressed, type UncompressedDigest } from './compression';
import { ImageError } from './imageError';
import { untaggedName } from './imageNames';
import { compressionOfMediaType, layerDescriptor, putImage } from './imageWriter';

export interface LoadOptions {
  /** Progress for the user, one line at a time, e.g. `Loaded image: busybox:latest` (as `docker load` prints). */
  onProgress?: (line: string) => void;
  /** Most entries the archive may have (default 50,000). */
  maxEntries?: number;
  /** Which image of a multi-platform OCI index to load (default: the host's). */
  platform?: Platform;
}

export interface LoadedImage {
  /** Canonical name; absent for an image the archive does not name. */
  ref?: string;
  /** The config digest: the image ID. */
  id: Digest;
  manifest: Descriptor;
}

export interface LoadResult {
  /** One entry per name set, plus one (without ref) per untagged image. */
  loaded: LoadedImage[];
}

interface CheckedImage {
  source: ArchiveImage;
  id: Digest;
  configBytes: Buffer;
  layers: UncompressedDigest[];
}

export async function loadArchive(store: ContentStore, index: ImageIndex, source: IngestSource, options: LoadOptions = {}): Promise<LoadResult> {
  let contents: ArchiveContents;
  try {
    const { chunks } = await decompress(source as AsyncIterable<unknown>, 'the image archive');
    contents = await ArchiveContents.read(store, chunks, { maxEntries: options.maxEntries });
  } catch (error) {
    // Stop an upload that is still sending: nothing more of it will be read.
    (source as { destroy?: () => void }).destroy?.();
    throw error;
  }

  const images = await archiveImages(store, contents, options.platform);
  const measured = new Map<Digest, Promise<UncompressedDigest>>();
  const checked: CheckedImage[] = [];
  for (const image of images) checked.push(await checkImage(store, image, measured));

  const written: { image: CheckedImage; manifest: Descriptor }[] = [];
  for (const image of checked) written.push({ image, manifest: reusableManifest(image) ?? (await writeManifest(store, image)) });

  const loaded: LoadedImage[] = [];
  for (const { image, manifest } of written) {
    for (const ref of image.source.refs) {
      await index.set(ref, manifest);
      loaded.push({ ref, id: image.id, manifest });
      options.onProgress?.(`Loaded image: ${parseImageReference(ref).familiar}`);
    }
    if (image.source.refs.length === 0) {
      if ((await index.byDigest(manifest.digest)).length === 0) await index.set(untaggedName(manifest.digest), manifest);
      loaded.push({ id: image.id, manifest });
      options.onProgress?.(`Loaded image ID: ${image.id}`);
    }
  }
  return { loaded };
}

/** Parses the config and checks every layer against its diff_id. */
async function checkImage(store: ContentStore, image: ArchiveImage, measured: Map<Digest, Promise<UncompressedDigest>>): Promise<CheckedImage> {
  const where = `${image.origin} (config ${image.configPath})`;
  if (image.config.size > MAX_ARCHIVE_JSON_SIZE) {
    throw new ImageError('invalid-archive', `the image config of ${where} is ${image.config.size} bytes, over the ${MAX_ARCHIVE_JSON_SIZE}-byte limit; berth does not read it`);
  }
  const configBytes = await store.readBytes(image.config.digest, MAX_ARCHIVE_JSON_SIZE);
  let config: ImageConfig;
  try {
    config = parseImageConfig(configBytes);
  } catch (error) {
    if (!(error instanceof InvalidDocumentError)) throw error;
    throw new ImageError('invalid-archive', `${where}: ${error.message}`, { cause: error });
  }
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) {
    throw new ImageError('invalid-archive', `${where} lists ${image.layers.length} layers but its config's rootfs.diff_ids has ${diffIds.length}; the archive is inconsistent`);
  }
  const layers: UncompressedDigest[] = [];
  for (const [i, layer] of image.layers.entries()) {
    let measuring = measured.get(layer.blob.digest);
    if (measuring === undefined) {
      measuring = measureLayer(store, layer.blob.digest, layer.blob.size, `layer "${layer.path}"`);
      measured.set(layer.blob.digest, measuring);
    }
    const actual = await measuring;
    if (actual.digest !== diffIds[i]) {
      throw new ImageError(
        'invalid-archive',
        `layer "${layer.path}" (layer ${i + 1} of ${where}) does not match the image config: its uncompressed content digests to ${actual.digest}, ` +
          `but rootfs.diff_ids[${i}] is ${diffIds[i]}. The archive is corrupt or was altered; nothing was loaded`,
      );
    }
    layers.push(actual);
  }
  return { source: image, id: image.config.digest, configBytes, layers };
}

/** The layer's compression and diff_id (for an uncompressed layer, its own digest). */
async function measureLayer(store: ContentStore, digest: Digest, size: number, what: string): Promise<UncompressedDigest> {
  const stream = await store.createReadStream(digest);
  try {
    return await digestUncompressed(stream, what, { digest, size });
  } finally {
    stream.destroy();
  }
}

/** The archive's own manifest, if it describes exactly these blobs with the right compression. */
function reusableManifest(image: CheckedImage): Descriptor | undefined {
  const offered = image.source.manifest;
  if (offered === undefined) return undefined;
  const { config, layers } = offered.document;
  if (config.digest !== image.id || config.size !== image.source.config.size || layers.length !== image.layers.length) return undefined;
  const matches = layers.every((layer, i) => {
    const blob = image.source.layers[i].blob;
    return layer.digest === blob.digest && layer.size === blob.size && compressionOfMediaType(layer.mediaType) === image.layers[i].compression;
  });
  return matches ? offered.descriptor : undefined;
}

function writeManifest(store: ContentStore, image: CheckedImage): Promise<Descriptor> {
  const layers = image.source.layers.map((layer, i) => layerDescriptor(layer.blob, image.layers[i].compression, image.layers[i].size));
  return putImage(store, image.configBytes, layers).then((stored) => stored.manifest);
}
