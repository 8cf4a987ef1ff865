// How many bytes a directory tree holds, for the SpaceReclaimed of `docker volume prune` and
// `docker container prune`. Apparent sizes of regular files; links are not followed and what
// vanishes during the walk counts as nothing.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Sum of the apparent sizes of the files under `path` (symlinks not followed). */
export async function diskUsage(path: string): Promise<number> {
  let total = 0;
  const pending = [path];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) total += (await stat(full).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}
