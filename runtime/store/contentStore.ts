// The content store: immutable blobs addressed by their sha256 digest, laid out as an OCI image
// layout (`oci-layout`, `blobs/sha256/<hex>`) so the directory can be read by any OCI tool.
// Writes go through ingest(): bytes stream into a temp file under `ingest/`, hashed on the way;
// only once the size and digest match and the file is fsynced is it renamed into `blobs/`. So a
// file in `blobs/` is always complete and correct, whatever crashes in between.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, opendir, readFile, rename, rm, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { writeJsonAtomic, fsyncDirectory } from './atomicFile';
import { BlobError, corruptBlobError } from './blobError';
import { digestHex, parseDigest, sha256Of, type Digest } from './digest';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** What the caller knows about the blob in advance; each known fact is enforced. */
export interface IngestExpectation {
  digest?: Digest;
  /** Also a hard cap: reading stops as soon as the source goes past it. */
  size?: number;
}

export type IngestSource = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_VERSION = '1.0.0';
const HEX_NAME_RE = /^[0-9a-f]{64}$/;

export class ContentStore {
  readonly blobsDir: string;
  readonly ingestDir: string;
  /** Temp files of this process's running ingests, which cleanIngests must never remove. */
  private readonly activeIngests = new Set<string>();

  private constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  /** Opens (creating if needed) the layout at `root`. */
  static async open(root: string): Promise<ContentStore> {
    const store = new ContentStore(root);
    await mkdir(store.blobsDir, { recursive: true });
    await mkdir(store.ingestDir, { recursive: true });
    await ensureLayoutFile(root);
    return store;
  }

  /** Where the blob lives (or would live). Throws on an invalid digest. */
  path(digest: Digest): string {
    return join(this.blobsDir, digestHex(digest));
  }

  async ingest(source: IngestSource, expected: IngestExpectation = {}, onProgress?: (bytes: number) => void): Promise<BlobInfo> {
    const want = checkExpectation(expected);
    const label = want.digest ?? 'being ingested';
    const temp = join(this.ingestDir, `${want.digest ? digestHex(want.digest) : 'unknown'}.${process.pid}-${randomBytes(8).toString('hex')}.partial`);
    this.activeIngests.add(temp);
    try {
      // 0o444: blobs are immutable; the mode only applies to later opens, not this fd.
      const handle = await open(temp, 'wx', 0o444);
      const hash = createHash('sha256');
      let size = 0;
      try {
        for await (const chunk of byteChunks(source)) {
          size += chunk.byteLength;
          if (want.size !== undefined && size > want.size) {
            // Throwing out of for-await calls the source's return() (a Node stream is destroyed):
            // the producer stops, so a lying source cannot fill the disk.
            throw new BlobError('size-mismatch', `blob ${label} is larger than its expected ${want.size} bytes: stopped reading after ${size} bytes and discarded it`, want.digest);
          }
          hash.update(chunk);
          await writeAll(handle, chunk);
          onProgress?.(size);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const digest: Digest = `sha256:${hash.digest('hex')}`;
      if (want.size !== undefined && size !== want.size) {
        throw new BlobError('size-mismatch', `blob ${label} is ${size} bytes but ${want.size} were expected (the source ended early); discarded it`, want.digest);
      }
      if (want.digest !== undefined && digest !== want.digest) {
        throw new BlobError('digest-mismatch', `content does not match its digest: expected ${want.digest}, got ${digest} (${size} bytes); discarded it. The source is corrupt or not what it claims to be`, want.digest);
      }
      await this.commit(temp, digest, size);
      return { digest, size };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    } finally {
      this.activeIngests.delete(temp);
    }
  }

  put(bytes: Uint8Array, expected?: IngestExpectation): Promise<BlobInfo> {
    return this.ingest(once(bytes), expected);
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.info(digest)) !== undefined;
  }

  async info(digest: Digest): Promise<BlobInfo | undefined> {
    const found = await statIfExists(this.path(digest));
    return found?.isFile() ? { digest, size: found.size } : undefined;
  }

  /** Reads a whole blob and checks it still hashes to its digest. */
  async readBytes(digest: Digest, maxSize?: number): Promise<Buffer> {
    const path = this.path(digest);
    const handle = await this.openBlob(digest, path);
    try {
      const { size } = await handle.stat();
      if (maxSize !== undefined && size > maxSize) {
        throw new BlobError('too-large', `blob ${digest} is ${size} bytes, over the ${maxSize}-byte limit for this read`, digest);
      }
      const bytes = await handle.readFile();
      const actual = sha256Of(bytes);
      if (actual !== digest) throw corruptBlobError(digest, path, actual);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /**
   * Streams a blob. The bytes are hashed as they pass; if they do not match the digest the
   * stream ends with a 'corrupt' error instead of 'end', so consumers must treat an error at
   * the end as a failure of everything they read (stream.pipeline does).
   */
  async createReadStream(digest: Digest): Promise<Readable> {
    const path = this.path(digest);
    const handle = await this.openBlob(digest, path);
    const verifier = new DigestVerifier(digest, path);
    pipeline(handle.createReadStream(), verifier, () => {
      // Errors reach the consumer through `verifier`; pipeline only needs a callback.
    });
    return verifier;
  }

  /** Removes a blob; false if it was not there. Says nothing about who still references it. */
  async delete(digest: Digest): Promise<boolean> {
    try {
      await unlink(this.path(digest));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Every blob's digest, in directory order. Files that are not named by a digest are skipped. */
  async *list(): AsyncIterable<Digest> {
    const dir = await opendir(this.blobsDir);
    for await (const entry of dir) {
      if (entry.isFile() && HEX_NAME_RE.test(entry.name)) yield `sha256:${entry.name}`;
    }
  }

  /**
   * Removes what a crash left in ingest/: files not written to for `olderThanMs`. Ingests of this
   * process are never removed; another process's ingest is safe as long as it keeps writing
   * more often than `olderThanMs`. Returns the names removed.
   */
  async cleanIngests(olderThanMs: number): Promise<string[]> {
    const removed: string[] = [];
    const cutoff = Date.now() - olderThanMs;
    const dir = await opendir(this.ingestDir);
    for await (const entry of dir) {
      const path = join(this.ingestDir, entry.name);
      if (this.activeIngests.has(path)) continue;
      const found = await statIfExists(path);
      if (found === undefined || found.mtimeMs > cutoff) continue;
      await rm(path, { force: true, recursive: true });
      removed.push(entry.name);
    }
    return removed;
  }

  private async commit(temp: string, digest: Digest, size: number): Promise<void> {
    const target = this.path(digest);
    const existing = await statIfExists(target);
    if (existing?.isFile() && existing.size === size) {
      // Already stored (by a concurrent ingest or an earlier pull). Touch it so a garbage
      // collection running now sees it as fresh and leaves it for the caller to reference.
      await rm(temp, { force: true });
      const now = new Date();
      await utimes(target, now, now);
      return;
    }
    // Absent, or present with the wrong size (a damaged copy): the verified file replaces it.
    await rename(temp, target);
    await fsyncDirectory(this.blobsDir);
  }

  private async openBlob(digest: Digest, path: string): Promise<FileHandle> {
    try {
      return await open(path, 'r');
    } catch (error) {
      if (isNotFound(error)) throw new BlobError('not-found', `blob ${digest} is not in the content store (${path})`, digest);
      throw error;
    }
  }
}

async function ensureLayoutFile(root: string): Promise<void> {
  const path = join(root, OCI_LAYOUT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await writeJsonAtomic(path, { imageLayoutVersion: OCI_LAYOUT_VERSION });
    return;
  }
  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    throw new Error(`${path} is not valid JSON; it should be {"imageLayoutVersion":"${OCI_LAYOUT_VERSION}"}. Fix or delete the file.`);
  }
  if (version !== OCI_LAYOUT_VERSION) {
    throw new Error(`${path} says imageLayoutVersion ${JSON.stringify(version)}; berth only reads OCI image layout ${OCI_LAYOUT_VERSION}`);
  }
}

function checkExpectation(expected: IngestExpectation): IngestExpectation {
  const out: IngestExpectation = {};
  if (expected.digest !== undefined) out.digest = parseDigest(expected.digest);
  if (expected.size !== undefined) {
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
      throw new BlobError('bad-input', `expected size must be a non-negative integer, got ${String(expected.size)}`);
    }
    out.size = expected.size;
  }
  return out;
}

/** Normalises both source kinds to byte chunks; a string chunk means a stream in text mode. */
async function* byteChunks(source: IngestSource): AsyncGenerator<Uint8Array> {
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new BlobError('bad-input', `the ingest source produced ${typeof chunk} chunks; pass a byte stream (do not call setEncoding on it)`);
    }
    yield chunk;
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

async function statIfExists(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

class DigestVerifier extends Transform {
  private readonly hash = createHash('sha256');

  constructor(
    private readonly expected: Digest,
    private readonly path: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual: Digest = `sha256:${this.hash.digest('hex')}`;
    callback(actual === this.expected ? null : corruptBlobError(this.expected, this.path, actual));
  }
}
