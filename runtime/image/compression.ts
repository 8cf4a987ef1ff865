// Compression of tar streams (import sources, `docker save` archives, layer blobs), sniffed from
// the magic bytes: media types and file names in archives are often wrong, the bytes are not.
// (runtime/archive/decompress.ts does the same for layer extraction, with layer-specific errors.)
import { createHash } from 'node:crypto';
import { Readable, pipeline, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Digest } from '../store/digest';
import { ImageError, errorMessage } from './imageError';

export type Compression = 'none' | 'gzip' | 'zstd';

/** Longest magic we look at (xz, 6 bytes). */
const SNIFF_BYTES = 6;

/** What `head` (the first bytes of `what`) is compressed with; rejects formats images may not use. */
export function sniffCompression(head: Uint8Array, what: string): Compression {
  const starts = (...magic: number[]): boolean => magic.every((byte, i) => head[i] === byte);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (starts(0x42, 0x5a, 0x68)) throw new ImageError('unsupported', `${what} is bzip2-compressed, which berth does not read; decompress it first (bunzip2) or recompress it with gzip`);
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) throw new ImageError('unsupported', `${what} is xz-compressed, which berth does not read; decompress it first (unxz) or recompress it with gzip`);
  return 'none';
}

export interface Decompressed {
  compression: Compression;
  /** The uncompressed bytes; stopping the iteration early stops reading the source. */
  chunks: AsyncIterable<Buffer>;
}

/** Sniffs `source` and returns its uncompressed bytes. `what` names the source in errors. */
export async function decompress(source: AsyncIterable<unknown>, what: string): Promise<Decompressed> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  try {
    while (headLength < SNIFF_BYTES) {
      const next = await iterator.next();
      if (next.done === true) {
        ended = true;
        break;
      }
      const chunk = toBuffer(next.value, what);
      head.push(chunk);
      headLength += chunk.length;
    }
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
  const compression = sniffCompression(Buffer.concat(head), what);
  const raw = replay(head, ended ? undefined : iterator, what);
  if (compression === 'none') return { compression, chunks: raw };
  return { compression, chunks: decoded(raw, compression, what) };
}

export interface UncompressedDigest {
  compression: Compression;
  /** sha256 of the uncompressed bytes: a layer's diff_id. */
  digest: Digest;
  size: number;
}

/**
 * Reads `source` to the end and digests its uncompressed bytes. When the caller already knows
 * the source's digest and size and it turns out uncompressed, only its first bytes are read.
 */
export async function digestUncompressed(source: AsyncIterable<unknown>, what: string, known?: { digest: Digest; size: number }): Promise<UncompressedDigest> {
  const { compression, chunks } = await decompress(source, what);
  if (compression === 'none' && known !== undefined) return { compression, ...known };
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { compression, digest: `sha256:${hash.digest('hex')}`, size };
}

async function* decoded(raw: AsyncIterable<Buffer>, compression: 'gzip' | 'zstd', what: string): AsyncGenerator<Buffer> {
  const decoder = compression === 'gzip' ? zlib.createGunzip() : zstdDecompressor(what);
  // pipeline carries a source error into the decoder and destroys both on early exit.
  const output = pipeline(Readable.from(raw, { objectMode: false }), decoder, () => {});
  try {
    for await (const chunk of output) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError('invalid-archive', `${what} could not be decompressed (${compression}): ${errorMessage(error)}`, { cause: error });
  } finally {
    output.destroy();
  }
}

/** Node's zstd decoder exists from Node 22.15/23.8; typed here since @types/node 20 lacks it. */
function zstdDecompressor(what: string): Transform {
  const factory = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (typeof factory !== 'function') {
    throw new ImageError(
      'unsupported',
      `${what} is zstd-compressed and this Node.js (${process.version}) cannot decompress zstd; run berth on Node.js 22.15 or later, or use a gzip-compressed image`,
    );
  }
  return factory();
}

async function* replay(head: Buffer[], iterator: AsyncIterator<unknown> | undefined, what: string): AsyncGenerator<Buffer> {
  try {
    yield* head;
    if (iterator === undefined) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield toBuffer(next.value, what);
    }
  } finally {
    // Reached on early exit too; lets a stream source release its file or socket.
    await iterator?.return?.();
  }
}

function toBuffer(chunk: unknown, what: string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new ImageError('invalid-archive', `${what} produced ${typeof chunk === 'string' ? 'text' : typeof chunk} instead of bytes; open the stream without an encoding`);
}
