// Helpers shared by the archive tests: building tars in memory, feeding them in chunks, and
// describing a directory tree so two trees (or one tree before and after) compare exactly.
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar-stream';

export type FixtureHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;

export interface FixtureEntry {
  readonly header: FixtureHeader;
  readonly body?: string | Buffer;
}

/** A tar holding `entries`, in order, exactly as tar-stream's pack writes them. */
export async function tarOf(entries: readonly FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const collected = collect(pack);
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      const isData = header.type === undefined || header.type === 'file' || header.type === 'contiguous-file';
      if (isData) pack.entry({ ...header }, body ?? '', done);
      else pack.entry({ ...header }, done);
    });
  }
  pack.finalize();
  return collected;
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Feeds `data` in `size`-byte chunks and counts how many chunks were taken. */
export function chunked(data: Buffer, size: number): AsyncIterable<Uint8Array> & { readonly taken: number; readonly total: number } {
  let taken = 0;
  const total = Math.ceil(data.length / size);
  return {
    get taken() {
      return taken;
    },
    total,
    async *[Symbol.asyncIterator]() {
      for (let offset = 0; offset < data.length; offset += size) {
        taken += 1;
        yield data.subarray(offset, offset + size);
      }
    },
  };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface DescribeOptions {
  /** Include mtimes: 'exact' (nanoseconds, every entry), 'seconds' (whole seconds, non-directories). */
  readonly mtimes?: 'exact' | 'seconds';
}

/**
 * One line per path below `root` (not `root` itself): type, permission bits, owner, size,
 * content hash, link target, device numbers, and optionally mtimes. Symlinks are not followed.
 */
export async function describeTree(root: string, options: DescribeOptions = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(path, { bigint: true });
      const mode = (Number(st.mode) & 0o7777).toString(8).padStart(4, '0');
      let line: string;
      if (st.isDirectory()) line = 'dir';
      else if (st.isFile()) line = `file size=${st.size} sha256=${sha256(await readFile(path)).slice(0, 16)}`;
      else if (st.isSymbolicLink()) line = `symlink -> ${await readlink(path)}`;
      else if (st.isCharacterDevice()) line = `chardev rdev=${st.rdev}`;
      else if (st.isBlockDevice()) line = `blockdev rdev=${st.rdev}`;
      else if (st.isFIFO()) line = 'fifo';
      else line = 'other';
      line += ` mode=${mode} uid=${st.uid} gid=${st.gid}`;
      if (options.mtimes === 'exact') line += ` mtime=${st.mtimeNs}`;
      if (options.mtimes === 'seconds' && !st.isDirectory()) line += ` mtime=${st.mtimeNs / 1_000_000_000n}`;
      out[relPath] = line;
      if (st.isDirectory()) await walk(path, relPath);
    }
  }
  await walk(root, '');
  return out;
}

/** Runs `body` with a fresh temporary directory, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `berth-${prefix}-`));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const isRoot = process.getuid?.() === 0;
