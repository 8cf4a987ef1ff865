// `docker import`: a tar of a root filesystem becomes a one-layer image. The source is read
// once: its uncompressed bytes are hashed (the diff_id) and gzip-compressed into the content
// store in the same pass. Then config, manifest and finally the name are written, in that
// order, so a crash leaves at most unreferenced blobs for garbage collection.
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { ContentStore, IngestSource } from '../store/contentStore';
import type { Descriptor, Platform } from '../store/descriptor';
import type { Digest } from '../store/digest';
import type { ContainerConfig, ImageConfig } from '../store/imageConfig';
import type { ImageIndex } from '../store/imageIndex';
import { canonicalReference } from '../store/references';
import { decompress } from './compression';
import { ImageError } from './imageError';
import { layerDescriptor, putImage } from './imageWriter';
import { hostPlatform } from './platform';

export interface ImportOptions {
  /** The image's creation time (default: now). */
  created?: Date;
  /** Kept as the history entry's comment (`docker import --message`). */
  message?: string;
  /** What containers of the image run (`docker import --change`); default: nothing set. */
  config?: ContainerConfig;
  /** Default: linux on the host's architecture (amd64 here), as `docker import` does. */
  platform?: Platform;
  /** Called as the source is read, with the uncompressed bytes read so far. */
  onProgress?: (bytes: number) => void;
}

export interface ImportResult {
  /** The config digest: the image ID. */
  id: Digest;
  /** The canonical name it was stored under. */
  ref: string;
  manifest: Descriptor;
  /** The one layer, as stored (gzip). */
  layer: Descriptor;
  /** sha256 of the tar as given (uncompressed). */
  diffId: Digest;
}

export const IMPORT_CREATED_BY = 'berth import';

/** @param source a tar stream, plain or gzip-compressed (sniffed from its first bytes). */
export async function importRootfs(store: ContentStore, index: ImageIndex, source: IngestSource, ref: string, options: ImportOptions = {}): Promise<ImportResult> {
  // Checked before reading anything, so a bad name does not cost a whole upload.
  const name = canonicalReference(ref);
  const created = (options.created ?? new Date()).toISOString();
  const what = 'the imported file system';

  const { chunks } = await decompress(source as AsyncIterable<unknown>, what);
  const tar = new TarShape(what);
  const hash = createHash('sha256');
  async function* measured(): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      tar.update(chunk);
      hash.update(chunk);
      options.onProgress?.(tar.size);
      yield chunk;
    }
    // Throwing here fails the ingest below before it commits: no blob for a non-tar.
    tar.check();
  }
  const gzip = pipeline(Readable.from(measured(), { objectMode: false }), zlib.createGzip(), () => {
    // Errors reach the ingest through the gzip stream.
  });
  const blob = await store.ingest(gzip);
  const diffId: Digest = `sha256:${hash.digest('hex')}`;
  const layer = layerDescriptor(blob, 'gzip', tar.size);

  const platform = options.platform ?? hostPlatform();
  const config: ImageConfig = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
    config: options.config ?? {},
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: IMPORT_CREATED_BY, ...(options.message !== undefined ? { comment: options.message } : {}) }],
  };
  const image = await putImage(store, Buffer.from(JSON.stringify(config)), [layer]);
  await index.set(name, image.manifest);
  return { id: image.id, ref: name, manifest: image.manifest, layer, diffId };
}

/**
 * A cheap check that the bytes are a tar archive, so a wrong file fails the import instead of
 * becoming a layer no container can use: the length is whole 512-byte blocks and the first
 * header's checksum is right (or the archive is empty: all zero blocks).
 */
class TarShape {
  size = 0;
  private head = Buffer.alloc(0);

  constructor(private readonly what: string) {}

  update(chunk: Buffer): void {
    if (this.head.length < 512) this.head = Buffer.concat([this.head, chunk.subarray(0, 512 - this.head.length)]);
    this.size += chunk.length;
  }

  check(): void {
    const fail = (reason: string): never => {
      throw new ImageError('invalid-archive', `${this.what} is not a tar archive: ${reason}. Pass a tar stream (plain or gzip), e.g. from \`tar -C rootfs -c .\``);
    };
    if (this.size === 0) fail('it is empty');
    if (this.size % 512 !== 0) fail(`its length (${this.size} bytes) is not a whole number of 512-byte tar blocks`);
    if (this.head.every((byte) => byte === 0)) return;
    const stored = parseInt(this.head.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : this.head[i];
    if (stored !== sum) fail('the first header block has a wrong checksum');
  }
}
