// The build context as it arrives (the body of POST /build): a tar stream, unpacked into a
// directory while each entry's tarsum is computed from its header and content, as dockerd's
// remotecontext.FromArchive does. The sums, keyed by cleaned path, are the source of truth for
// COPY/ADD hashes (resolveCopySources `sums`): a directory that only exists because an entry
// below it was sent has no sum, exactly as in Docker.
//
// Entry names are confined to the directory: absolute names and `..` are refused, never
// clamped, since only a hostile client writes them. Symlinks are written as they are; reading
// through them is clamped later by copySources.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { forEachTarEntry } from '../image/tarEntries';
import { BuildError } from './buildError';
import { cleanPath } from './dockerignore';

const TYPEFLAG: Record<string, string> = {
  file: '0', link: '1', symlink: '2', 'character-device': '3', 'block-device': '4', directory: '5', fifo: '6', 'contiguous-file': '7',
};

/** Unpacks `source` into `dir` (which must exist and be empty); returns path → tarsum. */
export async function unpackContext(source: AsyncIterable<Buffer>, dir: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  await forEachTarEntry(source, 'the build context', async (header, body) => {
    const rel = contextPath(header.name);
    const hash = createHash('sha256');
    for (const [key, value] of v1Header(header)) hash.update(key + value);
    const target = rel === '' ? dir : join(dir, rel);
    const type = header.type ?? 'file';
    if (rel !== '') await mkdir(dirname(target), { recursive: true });
    if (type === 'directory') {
      await mkdir(target, { recursive: true });
      await chmod(target, (header.mode ?? 0o755) & 0o7777);
    } else if (type === 'file' || type === 'contiguous-file') {
      await pipeline(Readable.from(hashing(body, hash)), createWriteStream(target, { mode: (header.mode ?? 0o644) & 0o7777 }));
      await chmod(target, (header.mode ?? 0o644) & 0o7777);
    } else if (type === 'symlink') {
      await symlink(header.linkname ?? '', target);
    } else if (type === 'link') {
      await copyFile(join(dir, contextPath(header.linkname ?? '')), target);
    }
    // Devices and fifos are hashed but not created: COPY of them is not supported.
    if (rel !== '') sums.set(rel, hash.digest('hex'));
  });
  return sums;
}

async function* hashing(body: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncIterable<Buffer> {
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
}

/** A tar name as a context path: cleaned, relative, never above the root. */
export function contextPath(name: string): string {
  const cleaned = cleanPath(`/${name}`).slice(1);
  if (name.startsWith('/') || cleanPath(name).split('/')[0] === '..') {
    throw new BuildError(0, `the build context has an entry named ${JSON.stringify(name)}, outside the context; send a context archive with relative names only`);
  }
  return cleaned === '.' ? '' : cleaned;
}

/** moby's tarsum v1 header selection: every header field but mtime, owner names blanked. */
function v1Header(header: Header): [string, string][] {
  const type = TYPEFLAG[header.type ?? 'file'] ?? '0';
  return [
    ['name', header.name],
    ['mode', String(header.mode ?? 0)],
    ['uid', String(header.uid ?? 0)],
    ['gid', String(header.gid ?? 0)],
    ['size', String(header.size ?? 0)],
    ['typeflag', type],
    ['linkname', header.linkname ?? ''],
    ['uname', ''],
    ['gname', ''],
    ['devmajor', String(header.devmajor ?? 0)],
    ['devminor', String(header.devminor ?? 0)],
  ];
}
