// `docker pull`: resolve a tag or digest to a manifest (through an OCI index or Docker manifest
// list to the wanted platform), then fetch the config and the layers into the content store.
// Nothing from the wire is believed: every manifest is hashed locally and must match the digest
// asked for (or, for a tag, the Docker-Content-Digest the registry claims); its media type must
// agree with its content and with the descriptor that led to it; every blob streams into
// ContentStore.ingest with the descriptor's digest and size, which caps and verifies it.
// Order gives crash and failure safety: blobs, then manifests, then the name, all while holding
// the GC gate shared; a failure before the name leaves only verified blobs (reused by the next
// pull, collected by gc otherwise) and no partial files.
import { setTimeout as wait } from 'node:timers/promises';
import * as zlib from 'node:zlib';
import { BlobError } from '../store/blobError';
import type { ContentStore } from '../store/contentStore';
import type { Descriptor, Platform } from '../store/descriptor';
import { sha256Of, type Digest } from '../store/digest';
import { MAX_CONFIG_SIZE, parseImageConfig } from '../store/imageConfig';
import type { ImageIndex } from '../store/imageIndex';
import { parseManifest, type ImageManifest, type ParsedManifest } from '../store/manifest';
import { isIndexMediaType, isManifestMediaType, mediaTypeOfContentType, MediaTypes } from '../store/mediaTypes';
import { parseImageReference, type ImageReference } from '../store/references';
import { InvalidDocumentError } from '../store/untrustedJson';
import { compressionOfMediaType } from '../image/imageWriter';
import { platformName, selectPlatformManifest } from '../image/platform';
import type { BlobSources } from './blobSources';
import { runBounded } from './boundedTasks';
import { byteProgress, shortId, type ProgressListener } from './progress';
import { errorMessage, RegistryError } from './registryError';
import type { RepositoryClient } from './repositoryClient';

/** What keeps garbage collection away while blobs are written but not yet named (engine/gate.ts's GcGate fits). */
export interface WriteGuard {
  withShared<T>(work: () => Promise<T>): Promise<T>;
}

export interface PullOptions {
  /** Default linux/amd64, the only platform berth runs. */
  platform?: Platform;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Layers downloaded at once (Docker: 3). */
  concurrency?: number;
  gate?: WriteGuard;
  /** Remembers where blobs came from, for cross-repository mounts on push. */
  sources?: BlobSources;
  /** Retries of a blob download after a network failure or 5xx (default 3 attempts, waiting 1 s, 2 s, …). */
  retry?: { attempts?: number; delayMs?: number };
  /** Called as each layer is stored and verified, so unpacking can start before the pull ends. */
  onLayerStored?: (layer: Descriptor) => void;
}

export interface PullResult {
  reference: ImageReference;
  /** The canonical name now pointing at the image. */
  name: string;
  /** What the name points at: the index (if the tag had one) or the manifest. */
  descriptor: Descriptor;
  /** The platform's manifest. */
  manifest: Descriptor;
  /** The config digest: the image ID. */
  id: Digest;
  /** The name already pointed at this digest before the pull. */
  upToDate: boolean;
  downloaded: Digest[];
  reused: Digest[];
}

export interface PullContext {
  store: ContentStore;
  index: ImageIndex;
  /** Opens the repository for pulling; the client facade supplies it. */
  open(reference: ImageReference): RepositoryClient;
}

const CONFIG_MEDIA_TYPES = new Set<string>([MediaTypes.ociConfig, MediaTypes.dockerConfig]);
export const DEFAULT_PULL_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export async function pullImage(context: PullContext, input: string, options: PullOptions = {}): Promise<PullResult> {
  const reference = parseImageReference(input);
  const emit = options.onProgress ?? (() => {});
  const signal = options.signal;
  const repo = context.open(reference);
  const where = { registry: reference.domain, repository: reference.path };
  const platform = options.platform ?? DEFAULT_PULL_PLATFORM;

  const asked = reference.digest ?? reference.tag ?? 'latest';
  // Docker names the repository by its path only: `latest: Pulling from library/busybox`.
  emit({ id: asked, status: `Pulling from ${reference.path}` });

  const top = await fetchManifest(repo, asked, reference.digest !== undefined ? { digest: reference.digest } : {}, signal);
  let manifestDoc = top;
  if (top.parsed.kind === 'index') {
    const chosen = selectPlatformManifest(top.parsed.index, () => true, platform);
    if (chosen === undefined) {
      const offered = top.parsed.index.manifests.map((d) => platformName(d.platform)).join(', ') || 'none';
      throw new RegistryError('unsupported', `${reference.familiar} has no image for ${platformName(platform)} (the index offers: ${offered}); berth runs ${platformName(platform)} images only`, { ...where, digest: top.digest });
    }
    manifestDoc = await fetchManifest(repo, chosen.digest, { digest: chosen.digest, size: chosen.size, mediaType: chosen.mediaType }, signal);
  }
  if (manifestDoc.parsed.kind !== 'manifest') {
    throw new RegistryError('untrusted-content', `${reference.familiar}: the index entry ${manifestDoc.digest} is itself an index; nested indexes are not supported`, { ...where, digest: manifestDoc.digest });
  }
  const manifest = manifestDoc.parsed.manifest;
  checkManifestContents(manifest, reference, manifestDoc.digest);

  const run = async (): Promise<PullResult> => {
    const downloaded: Digest[] = [];
    const reused: Digest[] = [];
    const fetchBlobOnce = async (descriptor: Descriptor, blobSignal: AbortSignal | undefined, layer: boolean): Promise<void> => {
      const response = await repo.getBlob(descriptor.digest, blobSignal);
      const declared = Number(response.header('content-length'));
      if (Number.isFinite(declared) && declared > descriptor.size) {
        response.body.destroy();
        throw new RegistryError('untrusted-content', `registry ${reference.domain} offers ${declared} bytes for blob ${descriptor.digest} of ${reference.path}, but the manifest says it has ${descriptor.size}; refusing the oversized blob`, { ...where, digest: descriptor.digest });
      }
      const onBytes = layer ? byteProgress(emit, descriptor.digest, 'Downloading', descriptor.size) : undefined;
      try {
        await context.store.ingest(response.body, { digest: descriptor.digest, size: descriptor.size }, onBytes);
      } catch (error) {
        response.body.destroy();
        if (error instanceof BlobError) {
          throw new RegistryError('untrusted-content', `registry ${reference.domain} sent bad data for blob ${descriptor.digest} of ${reference.path}: ${error.message}. Nothing was kept; try again, and report it to the registry's operator if it persists`, { ...where, digest: descriptor.digest }, { cause: error });
        }
        if (error instanceof RegistryError && error.code !== 'network') throw error;
        const aborted = blobSignal?.aborted === true;
        throw new RegistryError(
          aborted ? 'aborted' : 'network',
          `the download of blob ${descriptor.digest} from ${reference.domain}/${reference.path} was ${aborted ? 'cancelled' : `interrupted: ${errorMessage(error)}`}. Nothing partial was kept; pull again to resume (blobs already verified are reused)`,
          { ...where, digest: descriptor.digest },
          { cause: error },
        );
      }
      downloaded.push(descriptor.digest);
    };
    // Dropped connections, stalls and 5xx answers are retried (Docker retries too); lies are not.
    const retry = { attempts: 3, delayMs: 1000, ...options.retry };
    const fetchBlob = async (descriptor: Descriptor, blobSignal: AbortSignal | undefined, layer: boolean): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fetchBlobOnce(descriptor, blobSignal, layer);
        } catch (error) {
          const transient = error instanceof RegistryError && (error.code === 'network' || (error.detail.status ?? 0) >= 500);
          if (!transient || attempt >= retry.attempts || blobSignal?.aborted === true) throw error;
          const delay = retry.delayMs * attempt;
          if (layer) emit({ id: shortId(descriptor.digest), digest: descriptor.digest, status: `Retrying in ${Math.ceil(delay / 1000)} second${Math.ceil(delay / 1000) === 1 ? '' : 's'}` });
          await wait(delay, blobSignal).catch(() => {
            throw new RegistryError('aborted', `the download of blob ${descriptor.digest} from ${reference.domain}/${reference.path} was cancelled`, { ...where, digest: descriptor.digest });
          });
        }
      }
    };

    // The config first: it is small, and checking it before the layers avoids downloading
    // gigabytes for an image we would refuse.
    if (await isStored(context.store, manifest.config)) reused.push(manifest.config.digest);
    else await fetchBlob(manifest.config, signal, false);
    checkConfig(await context.store.readBytes(manifest.config.digest, MAX_CONFIG_SIZE), manifest, reference);

    const layers = uniqueByDigest(manifest.layers);
    const missing: Descriptor[] = [];
    for (const layer of layers) {
      if (await isStored(context.store, layer)) {
        reused.push(layer.digest);
        emit({ id: shortId(layer.digest), digest: layer.digest, status: 'Already exists' });
        options.onLayerStored?.(layer);
      } else {
        missing.push(layer);
        emit({ id: shortId(layer.digest), digest: layer.digest, status: 'Pulling fs layer' });
      }
    }
    const concurrency = options.concurrency ?? 3;
    missing.forEach((layer, i) => {
      if (i >= concurrency) emit({ id: shortId(layer.digest), digest: layer.digest, status: 'Waiting' });
    });
    await runBounded(
      missing,
      concurrency,
      async (layer, layerSignal) => {
        await fetchBlob(layer, layerSignal, true);
        const id = shortId(layer.digest);
        emit({ id, digest: layer.digest, status: 'Verifying Checksum' });
        emit({ id, digest: layer.digest, status: 'Download complete' });
        options.onLayerStored?.(layer);
        emit({ id, digest: layer.digest, status: 'Pull complete' });
      },
      signal,
    ).catch((error: unknown) => {
      throw signal?.aborted === true && !(error instanceof RegistryError) ? cancelled(reference) : error;
    });

    // Manifests after their blobs, the name last.
    await context.store.put(manifestDoc.bytes, { digest: manifestDoc.digest, size: manifestDoc.bytes.length });
    if (top !== manifestDoc) await context.store.put(top.bytes, { digest: top.digest, size: top.bytes.length });
    if (signal?.aborted === true) throw cancelled(reference);
    const descriptor: Descriptor = { mediaType: top.parsed.mediaType, digest: top.digest, size: top.bytes.length };
    const previous = await context.index.get(reference.canonical);
    await context.index.set(reference.canonical, descriptor);
    await options.sources?.record([top.digest, manifestDoc.digest, manifest.config.digest, ...layers.map((l) => l.digest)], reference.domain, reference.path);
    return {
      reference,
      name: reference.canonical,
      descriptor,
      manifest: { mediaType: manifestDoc.parsed.mediaType, digest: manifestDoc.digest, size: manifestDoc.bytes.length },
      id: manifest.config.digest,
      upToDate: previous?.descriptor.digest === top.digest,
      downloaded,
      reused,
    };
  };

  const result = options.gate !== undefined ? await options.gate.withShared(run) : await run();
  emit({ status: `Digest: ${result.descriptor.digest}` });
  emit({ status: result.upToDate ? `Status: Image is up to date for ${reference.familiar}` : `Status: Downloaded newer image for ${reference.familiar}` });
  return result;
}

interface FetchedDocument {
  bytes: Buffer;
  digest: Digest;
  parsed: ParsedManifest;
}

/** Fetches a manifest or index and checks it against everything we know about it in advance. */
async function fetchManifest(repo: RepositoryClient, ref: string, expected: { digest?: Digest; size?: number; mediaType?: string }, signal?: AbortSignal): Promise<FetchedDocument> {
  const { registry, path } = repo.target;
  const where = { registry, repository: path };
  const fetched = await repo.getManifest(ref, signal);
  const digest = sha256Of(fetched.bytes);
  const untrusted = (why: string): never => {
    throw new RegistryError('untrusted-content', `registry ${registry} sent a bad manifest for ${path}${ref.startsWith('sha256:') ? '@' : ':'}${ref}: ${why}. Nothing was stored`, { ...where, digest });
  };
  if (expected.digest !== undefined && digest !== expected.digest) untrusted(`it hashes to ${digest}, not the ${expected.digest} asked for`);
  if (fetched.claimedDigest !== undefined && fetched.claimedDigest !== digest) untrusted(`its Docker-Content-Digest header says ${fetched.claimedDigest} but the bytes hash to ${digest}`);
  if (expected.size !== undefined && fetched.bytes.length !== expected.size) untrusted(`it is ${fetched.bytes.length} bytes, but the index says ${expected.size}`);
  // A generic Content-Type (application/json) says nothing; a manifest type must agree with the body.
  const served = fetched.contentType === undefined ? undefined : mediaTypeOfContentType(fetched.contentType);
  const declared = served !== undefined && (isIndexMediaType(served) || isManifestMediaType(served)) ? served : undefined;
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(fetched.bytes, declared);
  } catch (error) {
    if (error instanceof InvalidDocumentError) return untrusted(error.message);
    throw error;
  }
  if (expected.mediaType !== undefined && parsed.mediaType !== expected.mediaType) {
    untrusted(`the index lists it as ${expected.mediaType}, but it is ${parsed.mediaType}`);
  }
  return { bytes: fetched.bytes, digest, parsed };
}

function checkManifestContents(manifest: ImageManifest, reference: ImageReference, digest: Digest): void {
  const where = { registry: reference.domain, repository: reference.path, digest };
  if (!CONFIG_MEDIA_TYPES.has(manifest.config.mediaType)) {
    throw new RegistryError('unsupported', `${reference.familiar} is not a container image: its config is ${manifest.config.mediaType} (an OCI artifact?); berth pulls images whose config is ${[...CONFIG_MEDIA_TYPES].join(' or ')}`, where);
  }
  if (manifest.config.size > MAX_CONFIG_SIZE) {
    throw new RegistryError('untrusted-content', `${reference.familiar}: the config is said to be ${manifest.config.size} bytes, over the ${MAX_CONFIG_SIZE}-byte limit`, where);
  }
  for (const layer of manifest.layers) {
    const compression = compressionOfMediaType(layer.mediaType);
    if (compression === undefined) {
      throw new RegistryError('unsupported', `${reference.familiar}: layer ${layer.digest} has media type ${layer.mediaType}, which berth cannot unpack (foreign or non-container layers are not supported)`, where);
    }
    if (compression === 'zstd' && typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress !== 'function') {
      throw new RegistryError('unsupported', `${reference.familiar}: layer ${layer.digest} is zstd-compressed and this Node.js (${process.version}) cannot decompress zstd; run berth on Node.js 22.15 or later, or pull a gzip variant of the image`, where);
    }
  }
}

function checkConfig(bytes: Buffer, manifest: ImageManifest, reference: ImageReference): void {
  const where = { registry: reference.domain, repository: reference.path, digest: manifest.config.digest };
  let config;
  try {
    config = parseImageConfig(bytes);
  } catch (error) {
    throw new RegistryError('untrusted-content', `${reference.familiar}: the image config ${manifest.config.digest} is invalid: ${errorMessage(error)}`, where);
  }
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new RegistryError('untrusted-content', `${reference.familiar}: the manifest lists ${manifest.layers.length} layers but the config has ${config.rootfs.diff_ids.length} diff_ids; the image is inconsistent`, where);
  }
}

/**
 * A blob the store already has, at the descriptor's size. Stored blobs were verified on ingest;
 * one of another size is a damaged copy, which a fresh download replaces.
 */
async function isStored(store: ContentStore, descriptor: Descriptor): Promise<boolean> {
  return (await store.info(descriptor.digest))?.size === descriptor.size;
}

function cancelled(reference: ImageReference): RegistryError {
  return new RegistryError('aborted', `the pull of ${reference.familiar} was cancelled before the image was named; verified blobs are kept for the next pull`, { registry: reference.domain, repository: reference.path });
}

function uniqueByDigest(descriptors: Descriptor[]): Descriptor[] {
  const seen = new Set<Digest>();
  return descriptors.filter((d) => (seen.has(d.digest) ? false : (seen.add(d.digest), true)));
}
