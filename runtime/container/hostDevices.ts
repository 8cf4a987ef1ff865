// The host's device nodes, as `docker run --privileged` gives them to a container (runc's
// devices.HostDevices): every character and block device under /dev, except the directories
// the container gets its own of (pts, shm, mqueue) and the console.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciDevice } from './ociSpec';

const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** Linux's major()/minor() of a dev_t. */
export function deviceNumbers(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

export async function hostDevices(root = '/dev'): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stat: Stats;
      try {
        stat = await lstat(path);
      } catch {
        continue; // gone meanwhile
      }
      if (stat.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) await walk(path);
        continue;
      }
      if (path === '/dev/console') continue;
      const type = stat.isCharacterDevice() ? 'c' : stat.isBlockDevice() ? 'b' : undefined;
      if (type === undefined) continue;
      out.push({ path, type, ...deviceNumbers(stat.rdev), fileMode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid });
    }
  };
  await walk(root);
  return out;
}
