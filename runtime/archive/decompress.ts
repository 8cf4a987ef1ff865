// Turns a layer blob into its uncompressed tar bytes. The compression is sniffed from the
// magic bytes rather than trusted from a media type: `docker save` archives and some
// registries label layers loosely, and the bytes cannot lie.
import { Readable, pipeline, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { LayerRejection, errorMessage } from './layerErrors';

export type Compression = 'none' | 'gzip' | 'zstd';

/** Longest magic we look at (xz, 6 bytes). */
const SNIFF_BYTES = 6;

/** Which compression `head` (the blob's first bytes) starts with; rejects ones we cannot read. */
export function sniffCompression(head: Uint8Array): Compression {
  const starts = (...magic: number[]): boolean => magic.every((byte, i) => head[i] === byte);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (starts(0x42, 0x5a, 0x68)) {
    throw new LayerRejection('the layer is bzip2-compressed, which OCI layers may not be; recompress it with gzip or zstd');
  }
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) {
    throw new LayerRejection('the layer is xz-compressed, which OCI layers may not be; recompress it with gzip or zstd');
  }
  return 'none';
}

/** Node's zstd decoder exists from Node 22.15/23.8; typed here since @types/node 20 lacks it. */
function zstdDecompressor(): Transform {
  const factory = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (typeof factory !== 'function') {
    throw new LayerRejection(
      `the layer is zstd-compressed and this Node.js (${process.version}) cannot decompress zstd; ` +
        'run berth on Node.js 22.15 or later, or use a gzip-compressed image',
    );
  }
  return factory();
}

/**
 * The uncompressed bytes of `source`, decompressed when it is gzip or zstd.
 * Stopping the iteration early stops reading the source.
 */
export async function* uncompressedChunks(source: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
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
      const chunk = toBuffer(next.value);
      head.push(chunk);
      headLength += chunk.length;
    }
    const compression = sniffCompression(Buffer.concat(head));
    if (compression === 'none') {
      yield* head;
      if (!ended) yield* rest(iterator);
      return;
    }
    const decoder = compression === 'gzip' ? zlib.createGunzip() : zstdDecompressor();
    const input = Readable.from(replay(head, ended ? undefined : iterator), { objectMode: false });
    // pipeline carries a source error into the decoder and destroys both on early exit.
    const output = pipeline(input, decoder, () => {});
    try {
      for await (const chunk of output) yield toBuffer(chunk);
    } catch (err) {
      if (err instanceof LayerRejection) throw err;
      throw new LayerRejection(`the layer's ${compression} stream could not be decompressed (${errorMessage(err)})`, undefined, {
        cause: err,
      });
    } finally {
      output.destroy();
    }
  } finally {
    // Reached on early exit too; lets a stream source release its file or socket.
    await iterator.return?.();
  }
}

async function* rest(iterator: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield toBuffer(next.value);
  }
}

async function* replay(head: Buffer[], iterator: AsyncIterator<unknown> | undefined): AsyncGenerator<Buffer> {
  yield* head;
  if (iterator !== undefined) yield* rest(iterator);
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new LayerRejection(
    `the layer source produced ${typeof chunk === 'string' ? 'text' : typeof chunk} instead of bytes; open the stream without an encoding`,
  );
}
