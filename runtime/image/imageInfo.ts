// What `docker images`, `docker inspect` and `docker history` need, read from the store: which
// image a name or ID means, its manifest and config, its names, size, creation time and history.
// Reads go through the content store (which checks digests) and the image index; everything
// after the reads is a pure function of the documents.
//
// Size: Docker shows the sum of the layers' uncompressed sizes. A manifest records only the
// stored (usually compressed) sizes, so a layer counts its uncompressed size when that is known
// (an uncompressed layer, or berth's uncompressed-size annotation from import and load) and its
// compressed size otherwise; `sizeIsExact` says whether every layer was known.
import type { ContentStore } from '../store/contentStore';
import type { Descriptor, Platform } from '../store/descriptor';
import type { Digest } from '../store/digest';
import { MAX_CONFIG_SIZE, parseImageConfig, type ContainerConfig, type HistoryEntry, type ImageConfig } from '../store/imageConfig';
import type { ImageIndex, ImageRecord } from '../store/imageIndex';
import { MAX_MANIFEST_SIZE, parseManifest, type ImageManifest } from '../store/manifest';
import { isIndexMediaType } from '../store/mediaTypes';
import { parseImageReference } from '../store/references';
import { ImageError, errorMessage } from './imageError';
import { displayNames } from './imageNames';
import { compressionOfMediaType, UNCOMPRESSED_SIZE_ANNOTATION } from './imageWriter';
import { hostPlatform, platformName, selectPlatformManifest } from './platform';

export interface StoredImageDocuments {
  /** The config digest: the image ID. */
  id: Digest;
  /** The manifest of the image (for a multi-platform name, the one for the platform). */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
}

export interface ResolvedImage extends StoredImageDocuments {
  /** Canonical index names of this image (by ID), in index order. */
  names: string[];
}

export interface ImageSummary {
  id: Digest;
  /** Familiar `name:tag` forms, as Docker's RepoTags. */
  repoTags: string[];
  /** Familiar `name@digest` forms, as Docker's RepoDigests. */
  repoDigests: string[];
  /** Canonical index names (including an `io.berth/untagged@…` one). */
  names: string[];
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  /** Sum of the layers' sizes; see the file comment. */
  size: number;
  sizeIsExact: boolean;
  labels: Record<string, string>;
  config: ContainerConfig;
  diffIds: Digest[];
  manifest: Descriptor;
}

export interface ImageHistoryItem {
  /** The image ID on the newest entry, `<missing>` on the others (as Docker shows them). */
  id: string;
  created?: string;
  createdBy: string;
  comment: string;
  /** Size of the layer this step made; 0 for a step that made none. */
  size: number;
  emptyLayer: boolean;
  /** Familiar names of the image, on the newest entry only. */
  tags: string[];
}

export interface ImageCatalog {
  images: ResolvedImage[];
  /** Names whose documents cannot be read (missing or corrupt blobs): listed, not hidden. */
  unreadable: { name: string; reason: string }[];
}

/** Reads the manifest (choosing the platform's manifest in an index) and config a descriptor leads to. */
export async function readImage(store: ContentStore, descriptor: Descriptor, platform: Platform = hostPlatform()): Promise<StoredImageDocuments> {
  let manifestDescriptor = descriptor;
  if (isIndexMediaType(descriptor.mediaType)) {
    const parsed = parseManifest(await store.readBytes(descriptor.digest, MAX_MANIFEST_SIZE), descriptor.mediaType);
    if (parsed.kind !== 'index') throw new ImageError('invalid-image', `${descriptor.digest} is listed as an index but is a manifest; remove the image and pull or load it again`);
    const present = new Set<Digest>();
    for (const entry of parsed.index.manifests) if (await store.has(entry.digest)) present.add(entry.digest);
    const chosen = selectPlatformManifest(parsed.index, (d) => present.has(d.digest), platform);
    if (chosen === undefined) {
      throw new ImageError('unsupported', `image index ${descriptor.digest} has no manifest for ${platformName(platform)} in the store; pull the image for that platform`);
    }
    manifestDescriptor = chosen;
  }
  const parsed = parseManifest(await store.readBytes(manifestDescriptor.digest, MAX_MANIFEST_SIZE), manifestDescriptor.mediaType);
  if (parsed.kind !== 'manifest') throw new ImageError('invalid-image', `${manifestDescriptor.digest} is listed as a manifest but is an index; remove the image and pull or load it again`);
  const manifest = parsed.manifest;
  const config = parseImageConfig(await store.readBytes(manifest.config.digest, MAX_CONFIG_SIZE));
  return { id: manifest.config.digest, manifestDescriptor, manifest, config };
}

/** Every named image, one entry per image ID with all its names. Reads every manifest and config once. */
export async function readCatalog(store: ContentStore, index: ImageIndex, platform?: Platform): Promise<ImageCatalog> {
  const byId = new Map<Digest, ResolvedImage>();
  const unreadable: ImageCatalog['unreadable'] = [];
  const read = new Map<Digest, StoredImageDocuments>();
  for (const record of await index.list()) {
    let documents = read.get(record.descriptor.digest);
    if (documents === undefined) {
      try {
        documents = await readImage(store, record.descriptor, platform);
      } catch (error) {
        unreadable.push({ name: record.name, reason: errorMessage(error) });
        continue;
      }
      read.set(record.descriptor.digest, documents);
    }
    const known = byId.get(documents.id);
    if (known !== undefined) known.names.push(record.name);
    else byId.set(documents.id, { ...documents, names: [record.name] });
  }
  return { images: [...byId.values()], unreadable };
}

const FULL_ID_RE = /^(?:sha256:)?([0-9a-f]{64})$/;
const SHORT_ID_RE = /^(?:sha256:)?([0-9a-f]{1,63})$/;

/**
 * The image `input` means, as Docker reads it: a full image ID (`sha256:<hex>` or `<hex>`), a
 * name (`busybox`, `busybox:1`, `busybox@sha256:<manifest digest>`), or else a unique ID prefix.
 */
export async function resolveImage(store: ContentStore, index: ImageIndex, input: string, platform?: Platform): Promise<ResolvedImage> {
  const catalog = await readCatalog(store, index, platform);
  const fullId = FULL_ID_RE.exec(input);
  if (fullId !== null) return byId(catalog, input, (id) => id === `sha256:${fullId[1]}`);

  let record: ImageRecord | undefined;
  try {
    const reference = parseImageReference(input);
    const records = await index.list();
    record = records.find((r) => r.name === reference.canonical);
    if (record === undefined && reference.digest !== undefined) {
      // `name@digest` also finds a tagged image of that repository whose manifest has the digest.
      record = records.find((r) => r.descriptor.digest === reference.digest && parseImageReference(r.name).repository === reference.repository);
    }
  } catch {
    // Not a valid name; it may still be a short ID.
  }
  if (record !== undefined) {
    const found = catalog.images.find((image) => image.names.includes(record.name));
    if (found !== undefined) return found;
    const problem = catalog.unreadable.find((u) => u.name === record.name);
    throw new ImageError('not-found', `image ${record.name} cannot be read: ${problem?.reason ?? 'unknown error'}. Remove it and pull or load it again`);
  }
  const shortId = SHORT_ID_RE.exec(input);
  if (shortId !== null) return byId(catalog, input, (id) => id.startsWith(`sha256:${shortId[1]}`));
  throw notFound(input);
}

function byId(catalog: ImageCatalog, input: string, matches: (id: Digest) => boolean): ResolvedImage {
  const found = catalog.images.filter((image) => matches(image.id));
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new ImageError('ambiguous', `${JSON.stringify(input)} is the start of ${found.length} image IDs (${found.map((image) => image.id.slice(7, 19)).join(', ')}); give more of the ID`);
  }
  throw notFound(input);
}

function notFound(input: string): ImageError {
  return new ImageError('not-found', `no such image: ${input}. \`berth images\` lists the images there are; pull, load or import it first`);
}

/** One layer's contribution to the image size, and whether it is the uncompressed size. */
export function layerSize(layer: Descriptor): { size: number; exact: boolean } {
  if (compressionOfMediaType(layer.mediaType) === 'none') return { size: layer.size, exact: true };
  const annotated = layer.annotations?.[UNCOMPRESSED_SIZE_ANNOTATION];
  if (annotated !== undefined && /^[0-9]{1,15}$/.test(annotated)) return { size: Number(annotated), exact: true };
  return { size: layer.size, exact: false };
}

export function imageSize(manifest: ImageManifest): { size: number; exact: boolean } {
  let size = 0;
  let exact = true;
  for (const layer of manifest.layers) {
    const one = layerSize(layer);
    size += one.size;
    exact &&= one.exact;
  }
  return { size, exact };
}

export function summarizeImage(image: ResolvedImage): ImageSummary {
  const { size, exact } = imageSize(image.manifest);
  const { config } = image;
  const summary: ImageSummary = {
    id: image.id,
    ...displayNames(image.names),
    names: [...image.names],
    architecture: config.architecture,
    os: config.os,
    size,
    sizeIsExact: exact,
    labels: { ...config.config?.Labels },
    config: config.config ?? {},
    diffIds: [...config.rootfs.diff_ids],
    manifest: image.manifestDescriptor,
  };
  if (config.created !== undefined) summary.created = config.created;
  if (config.author !== undefined) summary.author = config.author;
  if (config.variant !== undefined) summary.variant = config.variant;
  return summary;
}

/**
 * `docker history`: newest step first. Steps that made a layer take the layers in order; an
 * image without history (some tools omit it) gets one step per layer.
 */
export function imageHistory(image: ResolvedImage): ImageHistoryItem[] {
  const steps: HistoryEntry[] = image.config.history ?? image.manifest.layers.map(() => ({}));
  const items: ImageHistoryItem[] = [];
  let layer = 0;
  for (const step of steps) {
    const emptyLayer = step.empty_layer === true;
    const made = emptyLayer ? undefined : image.manifest.layers[layer++];
    items.push({
      id: '<missing>',
      ...(step.created !== undefined ? { created: step.created } : {}),
      createdBy: step.created_by ?? '',
      comment: step.comment ?? '',
      size: made === undefined ? 0 : layerSize(made).size,
      emptyLayer,
      tags: [],
    });
  }
  items.reverse();
  if (items.length > 0) {
    items[0].id = image.id;
    items[0].tags = displayNames(image.names).repoTags;
  }
  return items;
}
