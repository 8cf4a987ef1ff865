// Writes an image's config and OCI manifest into the content store. Both commands that create
// images (import, load) end here, so every image berth makes has the same shape. Naming the
// image (index.set) is left to the caller and must come last: blobs, then manifest, then name,
// so a crash never leaves a name pointing at something incomplete.
import type { BlobInfo, ContentStore } from '../store/contentStore';
import type { Descriptor } from '../store/descriptor';
import type { Digest } from '../store/digest';
import type { ImageManifest } from '../store/manifest';
import { MediaTypes } from '../store/mediaTypes';
import type { Compression } from './compression';

/**
 * Set on compressed layers whose uncompressed size berth measured (import, load): `docker
 * images` shows uncompressed sizes, which a manifest otherwise does not record.
 */
export const UNCOMPRESSED_SIZE_ANNOTATION = 'io.berth.layer.uncompressed-size';

export function layerMediaType(compression: Compression): string {
  switch (compression) {
    case 'none':
      return MediaTypes.ociLayer;
    case 'gzip':
      return MediaTypes.ociLayerGzip;
    case 'zstd':
      return MediaTypes.ociLayerZstd;
  }
}

/** Which compression a layer media type declares; undefined for types that are not layers. */
export function compressionOfMediaType(mediaType: string): Compression | undefined {
  switch (mediaType) {
    case MediaTypes.ociLayer:
    case 'application/vnd.docker.image.rootfs.diff.tar':
      return 'none';
    case MediaTypes.ociLayerGzip:
    case MediaTypes.dockerLayerGzip:
      return 'gzip';
    case MediaTypes.ociLayerZstd:
      return 'zstd';
    default:
      return undefined;
  }
}

export function layerDescriptor(blob: BlobInfo, compression: Compression, uncompressedSize: number): Descriptor {
  const descriptor: Descriptor = { mediaType: layerMediaType(compression), digest: blob.digest, size: blob.size };
  if (compression !== 'none') descriptor.annotations = { [UNCOMPRESSED_SIZE_ANNOTATION]: String(uncompressedSize) };
  return descriptor;
}

export interface StoredImage {
  /** The config's digest: the image ID. */
  id: Digest;
  manifest: Descriptor;
}

/** Stores `configBytes` as the config and an OCI manifest over `layers` (which must already be stored). */
export async function putImage(store: ContentStore, configBytes: Uint8Array, layers: Descriptor[]): Promise<StoredImage> {
  const config = await store.put(configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: config.digest, size: config.size },
    layers,
  };
  const stored = await store.put(Buffer.from(JSON.stringify(manifest)));
  return { id: config.digest, manifest: { mediaType: MediaTypes.ociManifest, digest: stored.digest, size: stored.size } };
}
