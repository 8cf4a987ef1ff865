// Reads a layer blob as a sequence of tar entries with normalised headers, enforcing the size
// and count limits and computing the diff_id on the way, so a gzip bomb stops at the limit
// instead of after filling the disk, and the layer is read once.
import { createHash } from 'node:crypto';
import * as tar from 'tar-stream';
import { uncompressedChunks } from './decompress';
import { LayerRejection, errorMessage, quoteName } from './layerErrors';

export type EntryType = 'file' | 'link' | 'symlink' | 'directory' | 'character-device' | 'block-device' | 'fifo';

export interface EntryHeader {
  /** The name exactly as the archive wrote it (PAX and GNU long names applied). */
  readonly name: string;
  readonly type: EntryType;
  readonly size: number;
  /** Permission bits with setuid, setgid and sticky (mode & 07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch; PAX gives sub-second precision. */
  readonly mtime: number;
  readonly atime: number;
  /** Target of a symlink or hard link, '' for other types. */
  readonly linkname: string;
  readonly devmajor: number;
  readonly devminor: number;
}

export interface LayerEntry {
  readonly header: EntryHeader;
  /** The entry's data; must be read to the end (or the iteration stopped) before the next entry. */
  readonly body: AsyncIterable<Buffer>;
}

export interface LayerLimits {
  readonly maxEntrySize: number;
  readonly maxTotalSize: number;
  readonly maxEntries: number;
}

export interface LayerSummary {
  /** `sha256:<hex>` of the uncompressed tar stream: the image config's diff_id. */
  readonly diffId: string;
  /** Uncompressed bytes. */
  readonly size: number;
  readonly entries: number;
}

export interface LayerReader {
  readonly entries: AsyncIterable<LayerEntry>;
  /** Valid once `entries` has been iterated to its end. */
  summary(): LayerSummary;
}

export function readLayer(source: AsyncIterable<unknown>, limits: LayerLimits): LayerReader {
  const hash = createHash('sha256');
  let size = 0;
  let count = 0;
  let complete = false;
  let digest: string | undefined;

  async function* entries(): AsyncGenerator<LayerEntry> {
    const extract = tar.extract();
    const failure = watchFailure(extract);
    const pumping = pump(extract);
    try {
      for await (const stream of iterateExtract(extract, failure)) {
        count += 1;
        if (count > limits.maxEntries) {
          throw new LayerRejection(`the layer has more than ${limits.maxEntries} entries (the maxEntries limit)`);
        }
        const header = normaliseHeader(stream.header);
        if (header.size > limits.maxEntrySize) {
          throw new LayerRejection(
            `layer entry ${quoteName(header.name)} is ${header.size} bytes, over the ${limits.maxEntrySize}-byte limit for one entry (maxEntrySize)`,
            header.name,
          );
        }
        yield { header, body: bytesOf(stream, failure) };
        // Whatever the consumer left unread is skipped here: the parser waits for it.
        for await (const rest of bytesOf(stream, failure)) void rest;
      }
      await pumping;
      complete = true;
    } finally {
      if (!complete) extract.destroy();
      await pumping;
    }
  }

  /** Feeds the uncompressed bytes into the tar parser; any failure destroys the parser with it. */
  async function pump(extract: tar.Extract): Promise<void> {
    try {
      for await (const chunk of uncompressedChunks(source)) {
        size += chunk.length;
        if (size > limits.maxTotalSize) {
          throw new LayerRejection(
            `the layer is larger than the ${limits.maxTotalSize}-byte limit once uncompressed (maxTotalSize); it may be a decompression bomb`,
          );
        }
        hash.update(chunk);
        if (extract.destroying) return;
        if (!extract.write(chunk)) await drained(extract);
        if (extract.destroying) return;
      }
      extract.end(undefined);
    } catch (err) {
      extract.destroy(err instanceof LayerRejection ? err : new LayerRejection(`reading the layer failed: ${errorMessage(err)}`, undefined, { cause: err }));
    }
  }

  return {
    entries: { [Symbol.asyncIterator]: entries },
    summary() {
      if (!complete) throw new Error('the layer summary is only known once every entry has been read');
      digest ??= hash.digest('hex');
      return { diffId: `sha256:${digest}`, size, entries: count };
    },
  };
}

/** One entry's stream as tar-stream yields it (its Source type is not exported). */
type EntryStream = tar.Extract extends AsyncIterable<infer S> ? S : never;

/**
 * The reason the parser stopped. When it fails, an entry being read only sees a generic
 * "destroyed"; the parser's own error (a truncated archive, the size limit) is the one to report.
 */
interface Failure {
  /** Waits for the parser to finish failing, then gives its error as a rejection, if it failed. */
  settle(): Promise<LayerRejection | undefined>;
}

function watchFailure(extract: tar.Extract): Failure {
  let error: unknown;
  extract.on('error', (err) => {
    error = err;
  });
  const closed = new Promise<void>((resolveClosed) => extract.on('close', () => resolveClosed()));
  return {
    async settle() {
      if (extract.destroying) await closed;
      if (error === undefined) return undefined;
      if (error instanceof LayerRejection) return error;
      // tar-stream's parse errors: "Invalid tar header…", "Unexpected end of data".
      return new LayerRejection(`the layer is not a valid tar archive (${errorMessage(error)})`, undefined, { cause: error });
    },
  };
}

async function* iterateExtract(extract: tar.Extract, failure: Failure): AsyncGenerator<EntryStream> {
  const iterator = extract[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<EntryStream>;
    try {
      next = await iterator.next();
    } catch (err) {
      throw (await failure.settle()) ?? err;
    }
    if (next.done === true) return;
    yield next.value;
  }
}

async function* bytesOf(stream: AsyncIterable<unknown>, failure: Failure): AsyncGenerator<Buffer> {
  const iterator = stream[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<unknown>;
    try {
      next = await iterator.next();
    } catch (err) {
      throw (await failure.settle()) ?? err;
    }
    if (next.done === true) return;
    if (!Buffer.isBuffer(next.value)) throw new Error('tar-stream yielded a non-Buffer chunk');
    yield next.value;
  }
}

function drained(extract: tar.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}

function normaliseHeader(raw: tar.Header): EntryHeader {
  const name = raw.name;
  const type = entryType(raw.type as string | null, name);
  const pax = raw.pax;
  const uid = paxInteger(pax, 'uid', name) ?? raw.uid;
  const gid = paxInteger(pax, 'gid', name) ?? raw.gid;
  const mtime = paxSeconds(pax, 'mtime', name) ?? raw.mtime.getTime() / 1000;
  const atime = paxSeconds(pax, 'atime', name) ?? mtime;
  return {
    name,
    type,
    size: raw.size,
    mode: raw.mode & 0o7777,
    uid,
    gid,
    mtime,
    atime,
    // tar-stream gives null when the header's link field is empty, despite its types.
    linkname: (raw.linkname as string | null) ?? '',
    devmajor: raw.devmajor,
    devminor: raw.devminor,
  };
}

function entryType(type: string | null, name: string): EntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file': // a historical regular file
      return 'file';
    case 'link':
    case 'symlink':
    case 'directory':
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return type;
    default:
      throw new LayerRejection(
        `layer entry ${quoteName(name)} has a tar entry type berth cannot extract (GNU sparse or vendor types are not supported in layers)`,
        name,
      );
  }
}

function paxField(pax: unknown, key: string): string | undefined {
  if (typeof pax !== 'object' || pax === null) return undefined;
  const value = (pax as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

function paxInteger(pax: unknown, key: string, name: string): number | undefined {
  const value = paxField(pax, key);
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xfffffffe) {
    throw new LayerRejection(`layer entry ${quoteName(name)} has an invalid PAX ${key} ${quoteName(value)}`, name);
  }
  return Number(value);
}

function paxSeconds(pax: unknown, key: string, name: string): number | undefined {
  const value = paxField(pax, key);
  if (value === undefined) return undefined;
  if (!/^-?\d{1,12}(\.\d+)?$/.test(value)) {
    throw new LayerRejection(`layer entry ${quoteName(name)} has an invalid PAX ${key} ${quoteName(value)}`, name);
  }
  return Number(value);
}
