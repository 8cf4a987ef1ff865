// Resolves a directory path inside a root the way the path would resolve inside the
// container: symlinks are followed, but only within the root. An absolute link target starts
// again at the root and `..` stops at the root, as in a chroot (the same idea as
// `securejoin` / Docker's FollowSymlinkInScope and runc's MkdirAllInRoot).
//
// Why follow rather than reject: real layers write through symlinked directories (a lower
// layer's `lib -> usr/lib`, or a layer that ships `link -> dir` then `link/file`), and Docker
// accepts them because it extracts inside a chroot. Every component is checked with lstat, so
// the walk never leaves the root however the links point.
//
// Only the directories above an entry are resolved; the entry's own last component is never
// followed (the writer replaces whatever is there). The walk assumes nothing else changes the
// tree meanwhile, which holds for a fresh staging directory; applyLayerInPlace documents it.
import type { Stats } from 'node:fs';
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Linux gives up after 40 links in one lookup (MAXSYMLINKS); so do we. */
const MAX_SYMLINKS = 40;

export type ScopedDir =
  | { readonly ok: true; readonly path: string }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'not-a-directory' | 'symlink-loop';
      /** The offending component's real path, relative to the root. */
      readonly at: string;
    };

/**
 * The real path of directory `parts` below `root`. With `create`, missing directories are
 * made (mkdir, then `create` to set their owner and mode); without, a missing one is reported.
 */
export async function resolveDirInRoot(
  root: string,
  parts: readonly string[],
  create?: (path: string) => Promise<void>,
): Promise<ScopedDir> {
  const current: string[] = [];
  const pending = [...parts];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // `current` holds real directories only, so dropping the last one is its real parent.
      current.pop();
      continue;
    }
    const candidate = join(root, ...current, part);
    const stat = await lstatOrUndefined(candidate);
    if (stat === undefined) {
      if (create === undefined) return { ok: false, reason: 'missing', at: [...current, part].join('/') };
      await mkdir(candidate);
      await create(candidate);
      current.push(part);
      continue;
    }
    if (stat.isSymbolicLink()) {
      links += 1;
      if (links > MAX_SYMLINKS) return { ok: false, reason: 'symlink-loop', at: [...current, part].join('/') };
      const target = await readlink(candidate);
      if (target.startsWith('/')) current.length = 0;
      pending.unshift(...target.split('/'));
      continue;
    }
    if (!stat.isDirectory()) return { ok: false, reason: 'not-a-directory', at: [...current, part].join('/') };
    current.push(part);
  }
  return { ok: true, path: join(root, ...current) };
}

export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
