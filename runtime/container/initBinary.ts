// The init for `docker run --init`: a static tini, since it runs inside images that may have no
// libc. Debian's `tini` package ships it as /usr/bin/tini-static (docker.io links docker-init
// to it); Docker mounts it at /sbin/docker-init.
import { access, constants, realpath } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const NAMES = ['tini-static', 'docker-init'];

export const INIT_INSTALL_HINT = 'apt-get install -y tini';

/** Where to look: PATH, then the places Debian installs to. */
export function initSearchDirs(pathVariable: string = process.env.PATH ?? ''): string[] {
  return [...new Set([...pathVariable.split(delimiter).filter((d) => d !== ''), '/usr/bin', '/usr/local/bin'])];
}

/** The host path of the init binary; throws a message naming the package when there is none. */
export async function findInitBinary(dirs: readonly string[] = initSearchDirs()): Promise<string> {
  for (const name of NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        return await realpath(candidate);
      } catch {
        // not here; try the next place
      }
    }
  }
  throw new Error(`--init needs a static tini (tini-static or docker-init), and this host has none; install Debian's tini package (${INIT_INSTALL_HINT}) or run without --init`);
}
