// Device nodes and FIFOs. Node cannot call mknod(2), so coreutils' mknod does it; coreutils
// is part of every Debian system, unlike a native addon.
import { runTool } from './runTool';

export type SpecialKind = 'character-device' | 'block-device' | 'fifo';

/** Creates a device node or FIFO at `path` (which must not exist) with permission bits `mode`. */
export async function makeSpecialFile(path: string, kind: SpecialKind, mode: number, major = 0, minor = 0): Promise<void> {
  const modeArg = (mode & 0o7777).toString(8);
  const args =
    kind === 'fifo'
      ? ['-m', modeArg, '--', path, 'p']
      : ['-m', modeArg, '--', path, kind === 'character-device' ? 'c' : 'b', String(major), String(minor)];
  await runTool('mknod', args, 'apt-get install -y coreutils');
}

/** Splits a Linux dev_t (st_rdev) the way glibc's major() and minor() do. */
export function splitDeviceNumber(rdev: number): { major: number; minor: number } {
  const low = rdev % 2 ** 32;
  const high = Math.floor(rdev / 2 ** 32);
  const major = ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0);
  const minor = (low & 0xff) | (((low >>> 12) | ((high & 0xfff) << 20)) & ~0xff);
  return { major: major >>> 0, minor: minor >>> 0 };
}
