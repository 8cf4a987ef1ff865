// Writes the entries of one layer under a root directory, one at a time, without ever
// writing outside the root: names are cleaned (entryName.ts), the directories above an entry
// are resolved inside the root (scopedPath.ts), and the entry's own last component is never
// followed: whatever is there is removed and created anew (O_EXCL | O_NOFOLLOW for files).
//
// Whiteouts follow the OCI layer rules: they hide what *lower* layers have, never entries of
// the same layer, so every path this layer writes is remembered and spared.
import { constants } from 'node:fs';
import { chmod, lchown, link, lutimes, mkdir, open, readdir, rm, symlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cleanEntryName, classifyWhiteout } from './entryName';
import type { IdMapper, Ids } from './idMap';
import type { EntryHeader, EntryType, LayerEntry } from './layerEntries';
import { LayerRejection, errorMessage, quoteName } from './layerErrors';
import { isErrno, lstatOrUndefined, resolveDirInRoot } from './scopedPath';
import { makeSpecialFile } from './specialFiles';
import { markOpaque, type OverlayXattrNamespace } from './xattr';

export type WhiteoutMode = 'overlay' | 'apply';

export interface WriterOptions {
  /**
   * 'overlay': the root will be an overlay layer, so whiteouts are stored the way overlayfs
   * reads them (a 0/0 character device; the opaque xattr on a directory).
   * 'apply': the root is a flattened tree, so whiteouts delete what they name.
   */
  readonly whiteouts: WhiteoutMode;
  /** Container ids in the tar → ids on disk. */
  readonly idMap: IdMapper;
  /** Whether to set owners at all; false when not root, where chown to other ids fails. */
  readonly chown: boolean;
  readonly allowDevices: boolean;
  /** Reason shown when devices are refused. */
  readonly devicesRefusedBecause: string;
  readonly xattrNamespace: OverlayXattrNamespace;
}

interface DeferredDir {
  readonly mode: number;
  readonly atime: number;
  readonly mtime: number;
}

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class LayerWriter {
  /** Regular files this layer wrote: the only valid hard link targets. */
  private readonly files = new Set<string>();
  /** Every path this layer wrote, which its own whiteouts must spare. */
  private readonly unpacked = new Set<string>();
  /** Directories holding something this layer wrote. */
  private readonly ancestors = new Set<string>();
  /** Directory modes and times, set last: writing children would change the times. */
  private readonly dirs = new Map<string, DeferredDir>();
  /**
   * Resolved directories by their cleaned name, so each entry does not lstat every component
   * again. Only removing something can change a resolution (new entries land on fresh names),
   * so every removal clears it.
   */
  private readonly resolved = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly options: WriterOptions,
  ) {}

  async write(entry: LayerEntry): Promise<void> {
    const name = entry.header.name;
    try {
      await this.writeEntry(entry);
    } catch (err) {
      if (err instanceof LayerRejection) throw err;
      throw new LayerRejection(`writing layer entry ${quoteName(name)} failed: ${errorMessage(err)}`, name, { cause: err });
    }
  }

  /** Sets directory modes and times, deepest first so a parent's change does not disturb them. */
  async finish(): Promise<void> {
    const ordered = [...this.dirs].sort(([a], [b]) => depth(b) - depth(a));
    for (const [path, meta] of ordered) {
      const stat = await lstatOrUndefined(path);
      if (stat === undefined || !stat.isDirectory()) continue; // replaced later in the layer
      await chmod(path, meta.mode);
      await lutimes(path, meta.atime, meta.mtime);
    }
  }

  private async writeEntry(entry: LayerEntry): Promise<void> {
    const { header } = entry;
    const name = header.name;
    if (name.includes('\0') || header.linkname.includes('\0')) {
      throw this.reject(name, 'contains a NUL byte in its name or link target');
    }
    const parts = cleanEntryName(name);
    if (parts === undefined) throw this.reject(name, 'points outside the layer root');

    const whiteout = classifyWhiteout(parts);
    switch (whiteout.kind) {
      case 'aufs-meta':
        return;
      case 'invalid':
        throw this.reject(name, `is a whiteout for ${quoteName(whiteout.name)}, which is not a file name`);
      case 'opaque':
        return this.opaque(name, whiteout.dir);
      case 'remove':
        return this.whiteout(header, whiteout.dir, whiteout.name);
      case 'none':
        break;
    }

    if (parts.length === 0) {
      if (header.type !== 'directory') throw this.reject(name, `would replace the layer root itself with a ${describe(header.type)}`);
      await this.setOwner(this.root, header);
      this.dirs.set(this.root, { mode: header.mode, atime: header.atime, mtime: header.mtime });
      return;
    }
    if ((header.type === 'character-device' || header.type === 'block-device') && !this.options.allowDevices) {
      throw this.reject(
        name,
        `is a ${describe(header.type)} (${header.devmajor}:${header.devminor}), and device nodes are not allowed here (${this.options.devicesRefusedBecause})`,
      );
    }

    const parent = await this.parentDir(name, parts.slice(0, -1), true);
    if (parent === undefined) throw new Error('unreachable: parent directories are created');
    const path = join(parent, parts[parts.length - 1]);

    switch (header.type) {
      case 'file':
        await this.replace(path, false);
        await this.writeFile(path, header, entry.body);
        this.files.add(path);
        break;
      case 'directory':
        if ((await this.replace(path, true)) === 'fresh') await mkdir(path, 0o700);
        await this.setOwner(path, header);
        this.dirs.set(path, { mode: header.mode, atime: header.atime, mtime: header.mtime });
        break;
      case 'symlink':
        if (header.linkname === '') throw this.reject(name, 'is a symbolic link with an empty target');
        await this.replace(path, false);
        await symlink(header.linkname, path);
        await this.setOwner(path, header);
        await lutimes(path, header.atime, header.mtime);
        break;
      case 'link':
        await this.hardlink(path, header);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await this.replace(path, false);
        await makeSpecialFile(path, header.type, 0, header.devmajor, header.devminor);
        await this.setOwner(path, header);
        await chmod(path, header.mode); // after chown, which clears setuid/setgid
        await lutimes(path, header.atime, header.mtime);
        break;
    }
    this.markUnpacked(path);
  }

  private async writeFile(path: string, header: EntryHeader, body: AsyncIterable<Buffer>): Promise<void> {
    const file = await open(path, WRITE_FLAGS, 0o600);
    try {
      for await (const chunk of body) await writeAll(file, chunk);
      const owner = this.owner(header);
      if (owner !== undefined) await file.chown(owner.uid, owner.gid);
      await file.chmod(header.mode); // after chown, which clears setuid/setgid
      await file.utimes(header.atime, header.mtime);
    } finally {
      await file.close();
    }
  }

  /** A hard link shares its target's inode, so the link entry's own mode, owner and times are not applied. */
  private async hardlink(path: string, header: EntryHeader): Promise<void> {
    const name = header.name;
    const targetParts = cleanEntryName(header.linkname);
    if (targetParts === undefined) {
      throw this.reject(name, `is a hard link to ${quoteName(header.linkname)}, which points outside the layer root`);
    }
    const notExtracted = (): LayerRejection =>
      this.reject(name, `is a hard link to ${quoteName(header.linkname)}, which is not a regular file extracted earlier from this layer`);
    if (targetParts.length === 0) throw notExtracted();
    const targetDir = await this.parentDir(name, targetParts.slice(0, -1), false);
    if (targetDir === undefined) throw notExtracted();
    const target = join(targetDir, targetParts[targetParts.length - 1]);
    const stat = await lstatOrUndefined(target);
    if (stat === undefined || !stat.isFile() || !this.files.has(target)) throw notExtracted();
    if (target === path) return; // a link to itself changes nothing
    await this.replace(path, false);
    await link(target, path);
    this.files.add(path);
  }

  /** `dir/.wh.name`: hide `dir/name` of lower layers. */
  private async whiteout(header: EntryHeader, dirParts: readonly string[], base: string): Promise<void> {
    const overlay = this.options.whiteouts === 'overlay';
    const dir = await this.parentDir(header.name, dirParts, overlay);
    if (dir === undefined) return; // nothing there to hide
    const path = join(dir, base);
    if (!overlay) {
      await this.removeLower(path);
      return;
    }
    if (this.unpacked.has(path)) return; // this layer's own entry wins over its whiteout
    if (this.ancestors.has(path)) {
      // This layer put entries below it: overlayfs says "hide only the lower ones" with opaque.
      await markOpaque(path, this.options.xattrNamespace);
      return;
    }
    await this.replace(path, false);
    await makeSpecialFile(path, 'character-device', 0, 0, 0);
    await this.setOwner(path, header);
  }

  /** `dir/.wh..wh..opq`: hide everything lower layers have in `dir`. */
  private async opaque(name: string, dirParts: readonly string[]): Promise<void> {
    const overlay = this.options.whiteouts === 'overlay';
    const dir = await this.parentDir(name, dirParts, overlay);
    if (dir === undefined) return;
    if (overlay) await markOpaque(dir, this.options.xattrNamespace);
    else await this.pruneLower(dir);
  }

  /** Deletes `path` unless this layer wrote it; keeps what this layer wrote below it. */
  private async removeLower(path: string): Promise<void> {
    if (this.unpacked.has(path)) return;
    if (this.ancestors.has(path)) await this.pruneLower(path);
    else await this.remove(path);
  }

  /** Deletes the contents of `dir` that came from lower layers. */
  private async pruneLower(dir: string): Promise<void> {
    let children;
    try {
      children = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOTDIR') || isErrno(err, 'ENOENT')) return; // not a directory: nothing below it
      throw err;
    }
    for (const child of children) {
      const path = join(dir, child.name);
      if (this.unpacked.has(path) || this.ancestors.has(path)) {
        if (child.isDirectory()) await this.pruneLower(path);
      } else {
        await this.remove(path);
      }
    }
  }

  /**
   * The real directory for `parts`, inside the root. With `create`, missing directories are
   * made like Docker's (0755, owned by the mapped root); without, undefined when missing.
   */
  private async parentDir(name: string, parts: readonly string[], create: boolean): Promise<string | undefined> {
    const key = parts.join('/');
    const known = this.resolved.get(key);
    if (known !== undefined) return known;
    const result = await resolveDirInRoot(this.root, parts, create ? (path) => this.makeImplicitDir(path) : undefined);
    if (result.ok) {
      this.resolved.set(key, result.path);
      return result.path;
    }
    switch (result.reason) {
      case 'missing':
        return undefined;
      case 'not-a-directory':
        if (!create) return undefined; // a whiteout or hard link below a file: nothing there
        throw this.reject(name, `needs ${quoteName(result.at)} to be a directory, but it is not one`);
      case 'symlink-loop':
        throw this.reject(name, `goes through too many symbolic links at ${quoteName(result.at)}`);
    }
  }

  private async makeImplicitDir(path: string): Promise<void> {
    await chmod(path, 0o755); // mkdir's mode is filtered by the umask
    const owner = this.options.chown ? this.options.idMap(0, 0) : undefined;
    if (owner !== undefined) await lchown(path, owner.uid, owner.gid);
  }

  /** Clears the slot for an entry; an existing directory stays when a directory arrives (merge). */
  private async replace(path: string, incomingIsDir: boolean): Promise<'fresh' | 'merge'> {
    const stat = await lstatOrUndefined(path);
    if (stat === undefined) return 'fresh';
    if (incomingIsDir && stat.isDirectory()) return 'merge';
    await this.remove(path);
    return 'fresh';
  }

  private async remove(path: string): Promise<void> {
    this.resolved.clear();
    for (const dir of this.dirs.keys()) if (dir === path || dir.startsWith(`${path}/`)) this.dirs.delete(dir);
    await rm(path, { recursive: true, force: true }); // rm unlinks symlinks, never follows them
  }

  private markUnpacked(path: string): void {
    this.unpacked.add(path);
    for (let dir = dirname(path); dir.length >= this.root.length && !this.ancestors.has(dir); dir = dirname(dir)) {
      this.ancestors.add(dir);
      if (dir === this.root) break;
    }
  }

  private owner(header: EntryHeader): Ids | undefined {
    return this.options.chown ? this.options.idMap(header.uid, header.gid) : undefined;
  }

  private async setOwner(path: string, header: EntryHeader): Promise<void> {
    const owner = this.owner(header);
    if (owner !== undefined) await lchown(path, owner.uid, owner.gid); // lchown: never through a symlink
  }

  private reject(name: string, problem: string): LayerRejection {
    return new LayerRejection(`layer entry ${quoteName(name)} ${problem}`, name);
  }
}

async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

function depth(path: string): number {
  return path.split('/').length;
}

function describe(type: EntryType): string {
  switch (type) {
    case 'file':
      return 'regular file';
    case 'link':
      return 'hard link';
    case 'symlink':
      return 'symbolic link';
    case 'character-device':
      return 'character device';
    case 'block-device':
      return 'block device';
    default:
      return type;
  }
}
