// Reading `/etc/passwd` and `/etc/group` of a container's root file system from the host, for
// resolving user names. Symlinks are not followed: resolved on the host they could point outside
// the container.
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_ETC_FILE = 4 * 1024 * 1024;

/** `/etc/<name>` of `rootfs`, or undefined when it is missing, not a plain file or too large. */
export async function readRootfsEtcFile(rootfs: string, name: 'passwd' | 'group'): Promise<string | undefined> {
  try {
    const etc = await lstat(join(rootfs, 'etc'));
    if (!etc.isDirectory()) return undefined;
    const handle = await open(join(rootfs, 'etc', name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > MAX_ETC_FILE) return undefined;
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
