// COPY/ADD sources resolved inside the build context directory the way dockerd 20.10's classic
// builder does (builder/dockerfile/copy.go, builder/remotecontext), with the same source hash:
// - a leading `/` or `./` is dropped; a path that climbs out with `..` is refused
//   ("forbidden path outside the build context"), while `d/../a` is fine;
// - symlinks are followed inside the context only: an absolute target or a `..` past the root
//   is clamped to the context root (so `evil -> /etc/passwd` looks for <context>/etc/passwd and
//   host files are never read);
// - wildcards (Go filepath.Match) are matched against every path of the context, depth-first;
// - the hash is Docker's: per entry the tarsum v1 of its tar header (name, mode, uid, gid, size,
//   type, link target, devices; never mtime) and content; `file:<sum>` for a file, `dir:` of
//   the sorted sums under a directory, `multi:` when several sources match. It is both the
//   cache input and the text in the history (`COPY file:… in /dest `).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from './buildError';
import { cleanPath } from './dockerignore';
import { containsWildcards, goPathMatch } from './goPathMatch';

export interface CopySource {
  /** Path relative to the context root after following symlinks, `/`-separated ('' is the root). */
  path: string;
  /** The name the copy gets in a directory destination (the source's own base name, even for a symlink). */
  name: string;
  isDir: boolean;
  /** `file:<hex>` or `dir:<hex>`. */
  hash: string;
}

export interface ResolvedSources {
  sources: CopySource[];
  /** The sources' hash as Docker prints it: one source's hash, or `multi:<hex>`. */
  hash: string;
}

export interface ContextOptions {
  /**
   * The sources are an image's files (COPY --from), not the build context. dockerd hashes
   * those through its lazy source, whose header differs from the context tar's: the mode keeps
   * the file-type bits (0100644, not 0644) and the owner names are looked up on the daemon's
   * host (uid 0 → "root"). Give the lookup; hostOwnerNames reads /etc/passwd and /etc/group.
   */
  imageSource?: { ownerNames: (uid: number, gid: number) => [string, string] };
  /** Owner to hash instead of the file's own (the docker CLI sends the context as 0:0). */
  owner?: { uid: number; gid: number };
  /** Per-path tarsums from unpackContext: the exact sums dockerd computes from the context tar. */
  sums?: ReadonlyMap<string, string>;
  /**
   * Without `sums`: whether a path was an entry of the context tar. Directories that were only created to hold
   * included files (their own entry excluded by .dockerignore) have no sum in Docker: their
   * "hash" is their path. Default: every path is an entry.
   */
  inContext?: (path: string) => boolean;
}

export async function resolveCopySources(contextDir: string, sources: readonly string[], dest: string, kind: 'COPY' | 'ADD', line: number, options: ContextOptions = {}): Promise<ResolvedSources> {
  const context = new ContextHasher(contextDir, options);
  const out: CopySource[] = [];
  for (const original of sources) {
    if (kind === 'ADD' && /^https?:\/\//.test(original)) throw new BuildError(line, `ADD ${original}: remote URLs are not supported yet by berth's builder; download it in a RUN step instead`);
    let path = original.replace(/^\/+/, '');
    if (path.startsWith('./')) path = path.slice(2);
    if (containsWildcards(path)) {
      for (const rel of await context.walk('')) {
        if (goPathMatch(path, rel)) out.push(await context.info(rel, line));
      }
    } else out.push(await context.info(path, line));
  }
  if (out.length === 0) throw new BuildError(line, `${kind} failed: no source files were specified (no path in the build context matches ${sources.join(' ')}; check the names and .dockerignore)`);
  if (out.length > 1 && !dest.endsWith('/')) {
    throw new BuildError(line, `When using ${kind} with more than one source file, the destination must be a directory and end with a / (write ${dest}/)`);
  }
  const hash = out.length === 1 ? out[0].hash : `multi:${sha256(out.map((s) => s.hash).join(','))}`;
  return { sources: out, hash };
}

/**
 * Where one source lands: a directory's contents go into `dest`; a file goes to `dest`, or to
 * `dest/<name>` when `dest` ends in `/` or already is a directory. Relative destinations are
 * relative to WORKDIR.
 */
export function copyDestination(source: CopySource, dest: string, workingDir: string, destIsExistingDir: boolean): string {
  const absolute = dest.startsWith('/') ? dest : `${cleanPath(`/${workingDir}/${dest}`)}${dest.endsWith('/') ? '/' : ''}`;
  const cleaned = cleanPath(absolute);
  if (source.isDir) return cleaned;
  if (absolute.endsWith('/') || destIsExistingDir) return cleanPath(`${cleaned}/${source.name}`);
  return cleaned;
}

class ContextHasher {
  private readonly sums = new Map<string, string>();

  constructor(private readonly root: string, private readonly options: ContextOptions) {}

  async info(path: string, line: number): Promise<CopySource> {
    const resolved = await this.resolve(path, line);
    const stat = await lstat(this.full(resolved)).catch(() => undefined);
    if (!stat) throw new BuildError(line, `file not found in build context or excluded by .dockerignore: ${path} (the path is relative to the context directory)`);
    const name = path.split('/').filter((p) => p !== '' && p !== '.').pop() ?? '';
    if (!stat.isDirectory()) return { path: resolved, name, isDir: false, hash: `file:${await this.hashOf(resolved)}` };
    const sums: string[] = [];
    for (const rel of await this.walk(resolved, true)) {
      const target = await this.resolve(rel, line).catch(() => undefined);
      if (target === undefined) continue;
      // A symlink counts with its target's sum; when the target has none (outside the
      // context, or missing) Docker puts the link's own path in the list instead.
      const sum = await this.hashOf(target);
      sums.push(sum === target && target !== rel ? rel : sum);
    }
    sums.sort();
    return { path: resolved, name, isDir: true, hash: `dir:${sha256(sums.join(','))}` };
  }

  /** Paths under `dir` in Go's Walk order (lexical, depth-first, not following symlinks). */
  async walk(dir: string, includeSelf = false): Promise<string[]> {
    const out: string[] = includeSelf && dir !== '' ? [dir] : [];
    const entries = await readdir(this.full(dir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      out.push(rel);
      if (entry.isDirectory()) out.push(...(await this.walk(rel)));
    }
    return out;
  }

  /**
   * The context path `path` names after following symlinks in scope (moby's
   * FollowSymlinkInScope): every component is resolved, `..` and absolute link targets never
   * leave the root. A `..` in the path as written that leaves the root is an error instead.
   */
  private async resolve(path: string, line: number): Promise<string> {
    if (cleanPath(path).split('/')[0] === '..') {
      throw new BuildError(line, `forbidden path outside the build context: ${path} (COPY and ADD can only read files inside the context directory)`);
    }
    const pending = path.split('/').filter((p) => p !== '' && p !== '.');
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        done.pop();
        continue;
      }
      const candidate = [...done, part].join('/');
      const stat = await lstat(this.full(candidate)).catch(() => undefined);
      if (stat?.isSymbolicLink()) {
        if (++links > 255) throw new BuildError(line, `too many levels of symbolic links resolving ${path} in the build context`);
        const target = await readlink(this.full(candidate));
        if (target.startsWith('/')) done.length = 0;
        pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      done.push(part);
    }
    return done.join('/');
  }

  /** Docker's per-path hash: the tarsum of the entry, or the path itself when the tar had no entry for it. */
  private async hashOf(path: string): Promise<string> {
    if (this.options.sums) return this.options.sums.get(path) ?? path;
    if (path === '' || (this.options.inContext && !this.options.inContext(path))) return path;
    if (!(await lstat(this.full(path)).catch(() => undefined))) return path;
    const cached = this.sums.get(path);
    if (cached !== undefined) return cached;
    const sum = await tarsumOf(this.full(path), path, this.options.owner, this.options.imageSource?.ownerNames);
    this.sums.set(path, sum);
    return sum;
  }

  private full(path: string): string {
    return path === '' ? this.root : join(this.root, path);
  }
}

/** tarsum v1 of one entry as the CLI would have written it: header fields (no mtime, no names of owners) then content. */
export async function tarsumOf(fullPath: string, rel: string, owner?: { uid: number; gid: number }, ownerNames?: (uid: number, gid: number) => [string, string]): Promise<string> {
  const stat = await lstat(fullPath);
  const hash = createHash('sha256');
  const type = stat.isDirectory() ? '5' : stat.isSymbolicLink() ? '2' : stat.isCharacterDevice() ? '3' : stat.isBlockDevice() ? '4' : stat.isFIFO() ? '6' : '0';
  const size = type === '0' ? stat.size : 0;
  let mode = (stat.mode & 0o777) | (stat.mode & 0o4000 ? 0o4000 : 0) | (stat.mode & 0o2000 ? 0o2000 : 0) | (stat.mode & 0o1000 ? 0o1000 : 0);
  if (ownerNames) mode |= TYPE_BITS[type] ?? 0;
  const uid = owner?.uid ?? stat.uid;
  const gid = owner?.gid ?? stat.gid;
  const [uname, gname] = ownerNames ? ownerNames(uid, gid) : ['', ''];
  const link = type === '2' ? await readlink(fullPath) : '';
  const device = type === '3' || type === '4' ? { major: Math.floor(stat.rdev / 256) & 0xfff, minor: (stat.rdev & 0xff) | ((stat.rdev >> 12) & 0xfff00) } : { major: 0, minor: 0 };
  const fields: [string, string][] = [
    ['name', type === '5' ? `${rel}/` : rel],
    ['mode', String(mode)],
    ['uid', String(uid)],
    ['gid', String(gid)],
    ['size', String(size)],
    ['typeflag', type],
    ['linkname', link],
    ['uname', uname],
    ['gname', gname],
    ['devmajor', String(device.major)],
    ['devminor', String(device.minor)],
  ];
  for (const [key, value] of fields) hash.update(key + value);
  if (type === '0') for await (const chunk of createReadStream(fullPath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The S_IFMT bits moby's archive.FileInfoHeader puts back into the mode (fillGo18FileTypeBits). */
const TYPE_BITS: Record<string, number> = { '0': 0o100000, '5': 0o40000, '2': 0o120000, '3': 0o20000, '4': 0o60000, '6': 0o10000 };

/** Owner names as Go's archive/tar looks them up: the host's /etc/passwd and /etc/group, '' when unknown. */
export function hostOwnerNames(passwd: string, group: string): (uid: number, gid: number) => [string, string] {
  const byId = (text: string): Map<number, string> => {
    const map = new Map<number, string>();
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && /^\d+$/.test(id) && !map.has(Number(id))) map.set(Number(id), name);
    }
    return map;
  };
  const users = byId(passwd);
  const groups = byId(group);
  return (uid, gid) => [users.get(uid) ?? '', groups.get(gid) ?? ''];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
