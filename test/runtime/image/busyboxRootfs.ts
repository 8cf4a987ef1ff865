// A minimal root file system from Debian's busybox-static: /bin/busybox plus one symlink per
// applet, which is all `docker run IMAGE echo hi` needs.
import { execFile } from 'node:child_process';
import { access, chmod, copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

export async function makeBusyboxRootfs(dir: string): Promise<string> {
  const busybox = await findStaticBusybox();
  await mkdir(join(dir, 'bin'), { recursive: true });
  for (const name of ['etc', 'tmp', 'proc', 'sys', 'dev']) await mkdir(join(dir, name), { recursive: true });
  await copyFile(busybox, join(dir, 'bin', 'busybox'));
  await chmod(join(dir, 'bin', 'busybox'), 0o755);
  const { stdout } = await run(busybox, ['--list']);
  for (const applet of stdout.split('\n').filter((a) => a !== '' && a !== 'busybox')) await symlink('busybox', join(dir, 'bin', applet));
  return dir;
}

async function findStaticBusybox(): Promise<string> {
  for (const path of CANDIDATES) {
    try {
      await access(path);
    } catch {
      continue;
    }
    // A dynamically linked busybox (Debian's `busybox` package) would not run in an empty rootfs.
    const isDynamic = await run('ldd', [path]).then(
      () => true,
      () => false,
    );
    if (!isDynamic) return path;
  }
  throw new Error('no statically linked busybox found; install the Debian package busybox-static (apt-get install -y busybox-static)');
}
