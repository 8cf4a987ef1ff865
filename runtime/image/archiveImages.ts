// What an image archive says it holds, normalised to one list of images whatever the format:
// Docker's `manifest.json` (legacy `<id>/layer.tar` paths, or Docker 25+'s `blobs/sha256/<hex>`
// paths) or, when there is no manifest.json, an OCI layout's `index.json`. Every path and
// digest is checked against the archive's files here; nothing is trusted further down.
import type { BlobInfo, ContentStore } from '../store/contentStore';
import type { Descriptor, Platform } from '../store/descriptor';
import { parseManifest, type ImageManifest } from '../store/manifest';
import { isIndexMediaType, isManifestMediaType } from '../store/mediaTypes';
import { canonicalReference } from '../store/references';
import { asArray, asObject, asString, failFor, InvalidDocumentError, type Fail } from '../store/untrustedJson';
import type { ArchiveContents } from './archiveContents';
import { ImageError, errorMessage } from './imageError';
import { platformName, selectPlatformManifest } from './platform';

/** manifest.json, index.json and image configs above this are refused unread. */
export const MAX_ARCHIVE_JSON_SIZE = 4 * 1024 * 1024;
export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const OCI_INDEX_FILE = 'index.json';
export const CONTAINERD_IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';
export const OCI_REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface ArchiveLayer {
  /** How the archive names it, for messages. */
  path: string;
  blob: BlobInfo;
}

export interface ArchiveImage {
  /** Where the image is described, for messages: `manifest.json entry 1`. */
  origin: string;
  /** Canonical names to give it; empty for an untagged image. */
  refs: string[];
  configPath: string;
  config: BlobInfo;
  layers: ArchiveLayer[];
  /** The archive's own manifest for this image, if it has one; loadArchive checks it before reusing it. */
  manifest?: { descriptor: Descriptor; document: ImageManifest };
}

/** The images of an archive: from manifest.json when present, otherwise from an OCI index.json. */
export async function archiveImages(store: ContentStore, contents: ArchiveContents, platform?: Platform): Promise<ArchiveImage[]> {
  const dockerManifest = contents.file(DOCKER_MANIFEST_FILE);
  const ociIndex = contents.file(OCI_INDEX_FILE);
  if (dockerManifest === undefined) {
    if (ociIndex === undefined) {
      throw new ImageError(
        'invalid-archive',
        `the archive has no ${DOCKER_MANIFEST_FILE} (nor an OCI ${OCI_INDEX_FILE}), so it is not an image archive; make one with \`docker save IMAGE -o FILE.tar\``,
      );
    }
    return imagesFromOciIndex(store, contents, ociIndex, platform);
  }
  const doc = await readJson(store, dockerManifest, DOCKER_MANIFEST_FILE);
  const images = asArchiveError(() => imagesFromDockerManifest(contents, doc));
  if (ociIndex !== undefined) {
    // Docker 25+ also writes an OCI layout; its manifests may be reused if they describe the
    // same images (loadArchive checks that), but manifest.json is what the archive is loaded by,
    // so a broken index.json only means berth writes its own manifests.
    let described: ArchiveImage[] = [];
    try {
      described = await imagesFromOciIndex(store, contents, ociIndex, platform);
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
    }
    for (const image of images) {
      const offered = described.find((other) => other.config.digest === image.config.digest)?.manifest;
      if (offered !== undefined) image.manifest = offered;
    }
  }
  return images;
}

function imagesFromDockerManifest(contents: ArchiveContents, doc: unknown): ArchiveImage[] {
  const fail = failFor(`${DOCKER_MANIFEST_FILE} in the archive`);
  const entries = asArray(doc, '', fail);
  if (entries.length === 0) fail('', 'lists no images');
  return entries.map((value, i) => {
    const field = `[${i}]`;
    const entry = asObject(value, field, fail);
    const origin = `${DOCKER_MANIFEST_FILE} entry ${i + 1}`;
    const configPath = archivePath(entry.Config, `${field}.Config`, fail);
    const config = contents.file(configPath);
    if (config === undefined) throw missing(`config ${JSON.stringify(configPath)}`);
    const named = /^([0-9a-f]{64})\.json$/.exec(configPath);
    if (named !== null && config.digest !== `sha256:${named[1]}`) {
      throw new ImageError('invalid-archive', `the archive's config ${configPath} does not match its name: its content digests to ${config.digest}. The archive is corrupt or was altered`);
    }
    const layers = asArray(entry.Layers, `${field}.Layers`, fail).map((item, j) => {
      const path = archivePath(item, `${field}.Layers[${j}]`, fail);
      const blob = contents.file(path);
      if (blob === undefined) throw missing(`layer ${JSON.stringify(path)}`);
      return { path, blob };
    });
    const tags = entry.RepoTags === null || entry.RepoTags === undefined ? [] : asArray(entry.RepoTags, `${field}.RepoTags`, fail);
    const refs = tags.map((tag, j) => imageName(asString(tag, `${field}.RepoTags[${j}]`, fail), `${origin}, RepoTags[${j}]`));
    return { origin, refs, configPath, config, layers };
  });
}

async function imagesFromOciIndex(store: ContentStore, contents: ArchiveContents, indexFile: BlobInfo, platform?: Platform): Promise<ArchiveImage[]> {
  const parsed = parseDocument(await readCapped(store, indexFile, OCI_INDEX_FILE), OCI_INDEX_FILE, undefined);
  if (parsed.kind !== 'index') throw new ImageError('invalid-archive', `the archive's ${OCI_INDEX_FILE} is an image manifest, not an index`);
  // Several names for one manifest make one image.
  const byManifest = new Map<string, ArchiveImage>();
  for (const [i, entry] of parsed.index.manifests.entries()) {
    const origin = `${OCI_INDEX_FILE} entry ${i + 1}`;
    let descriptor = entry;
    if (isIndexMediaType(entry.mediaType)) {
      const nested = parseDocument(await readBlob(store, contents, entry, origin), origin, entry.mediaType);
      if (nested.kind !== 'index') throw new ImageError('invalid-archive', `${origin} says it is an index but is a manifest`);
      const chosen = selectPlatformManifest(nested.index, (d) => contents.blob(d.digest) !== undefined, platform);
      if (chosen === undefined) {
        const present = nested.index.manifests.filter((d) => contents.blob(d.digest) !== undefined).map((d) => platformName(d.platform));
        throw new ImageError('unsupported', `${origin} is a multi-platform image with no manifest for ${platformName(platform)} in the archive (it has: ${present.join(', ') || 'none'})`);
      }
      descriptor = chosen;
    } else if (!isManifestMediaType(entry.mediaType)) {
      continue; // not an image (an artifact such as a signature)
    }
    const name = nameFromAnnotations(entry, origin);
    const known = byManifest.get(descriptor.digest);
    if (known !== undefined) {
      if (name !== undefined && !known.refs.includes(name)) known.refs.push(name);
      continue;
    }
    const document = parseDocument(await readBlob(store, contents, descriptor, origin), `${origin}'s manifest`, descriptor.mediaType);
    if (document.kind !== 'manifest') throw new ImageError('invalid-archive', `${origin} says it is a manifest but is an index`);
    const manifest = document.manifest;
    const config = blobFor(contents, manifest.config, `${origin}'s config`);
    const layers = manifest.layers.map((layer, j) => ({ path: `blobs/sha256/${layer.digest.slice(7)}`, blob: blobFor(contents, layer, `${origin}'s layer ${j + 1}`) }));
    byManifest.set(descriptor.digest, {
      origin,
      refs: name === undefined ? [] : [name],
      configPath: `blobs/sha256/${manifest.config.digest.slice(7)}`,
      config,
      layers,
      manifest: { descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size }, document: manifest },
    });
  }
  if (byManifest.size === 0) throw new ImageError('invalid-archive', `the archive's ${OCI_INDEX_FILE} lists no images`);
  return [...byManifest.values()];
}

/**
 * containerd and Docker 25+ put the full name in io.containerd.image.name and only the tag in
 * the OCI ref.name; other tools (skopeo) put a full name in ref.name. A bare tag is no name.
 */
function nameFromAnnotations(descriptor: Descriptor, origin: string): string | undefined {
  const full = descriptor.annotations?.[CONTAINERD_IMAGE_NAME_ANNOTATION];
  if (full !== undefined) return imageName(full, `${origin}, annotation ${CONTAINERD_IMAGE_NAME_ANNOTATION}`);
  const refName = descriptor.annotations?.[OCI_REF_NAME_ANNOTATION];
  if (refName !== undefined && /[/:@]/.test(refName)) return imageName(refName, `${origin}, annotation ${OCI_REF_NAME_ANNOTATION}`);
  return undefined;
}

function imageName(value: string, origin: string): string {
  try {
    return canonicalReference(value);
  } catch (error) {
    throw new ImageError('invalid-archive', `${origin} names the image ${JSON.stringify(value)}, which is not a valid image name: ${errorMessage(error)}`, { cause: error });
  }
}

function blobFor(contents: ArchiveContents, descriptor: Descriptor, what: string): BlobInfo {
  const blob = contents.blob(descriptor.digest);
  if (blob === undefined) throw new ImageError('invalid-archive', `${what} (${descriptor.digest}) is not in the archive`);
  if (blob.size !== descriptor.size) throw new ImageError('invalid-archive', `${what} (${descriptor.digest}) is ${blob.size} bytes in the archive but its descriptor says ${descriptor.size}`);
  return blob;
}

async function readBlob(store: ContentStore, contents: ArchiveContents, descriptor: Descriptor, what: string): Promise<Buffer> {
  return readCapped(store, blobFor(contents, descriptor, what), what);
}

/** A JSON document of the archive, refused unread when it is over the size cap. */
async function readCapped(store: ContentStore, file: BlobInfo, what: string): Promise<Buffer> {
  if (file.size > MAX_ARCHIVE_JSON_SIZE) {
    throw new ImageError('invalid-archive', `the archive's ${what} is ${file.size} bytes, over the ${MAX_ARCHIVE_JSON_SIZE}-byte limit; berth does not read it`);
  }
  return store.readBytes(file.digest, MAX_ARCHIVE_JSON_SIZE);
}

function parseDocument(bytes: Buffer, what: string, mediaType: string | undefined): ReturnType<typeof parseManifest> {
  try {
    return parseManifest(bytes, mediaType);
  } catch (error) {
    if (!(error instanceof InvalidDocumentError)) throw error;
    throw new ImageError('invalid-archive', `the archive's ${what} is invalid: ${error.message}`, { cause: error });
  }
}

/** A JSON document of the archive (manifest.json is an array, so not parseJsonObject), size-capped. */
async function readJson(store: ContentStore, file: BlobInfo, name: string): Promise<unknown> {
  const bytes = await readCapped(store, file, name);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new ImageError('invalid-archive', `the archive's ${name} is not valid JSON (${errorMessage(error)})`, { cause: error });
  }
}

/** A path named in manifest.json: relative, inside the archive, made canonical. */
function archivePath(value: unknown, field: string, fail: Fail): string {
  const text = asString(value, field, fail);
  const what = field.includes('Config') ? 'config' : 'layer';
  const parts = text.split('/').filter((part) => part !== '' && part !== '.');
  if (text.startsWith('/') || parts.includes('..') || parts.length === 0) {
    throw new ImageError('invalid-archive', `${DOCKER_MANIFEST_FILE} in the archive lists ${what} ${JSON.stringify(text)}, which points outside the archive; berth refuses it`);
  }
  return parts.join('/');
}

/** The untrusted-JSON checks throw InvalidDocumentError; callers of loadArchive get ImageError. */
function asArchiveError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidDocumentError) throw new ImageError('invalid-archive', error.message, { cause: error });
    throw error;
  }
}

function missing(what: string): ImageError {
  return new ImageError('invalid-archive', `${DOCKER_MANIFEST_FILE} in the archive lists ${what}, which the archive does not contain`);
}
