// Layer snapshots and container root file systems on kernel overlayfs.
//
// Each layer is unpacked once, keyed by its ChainID, into `<root>/snapshots/<chain-hex>/fs`
// (applyLayer in overlay mode: whiteouts become 0/0 devices, opaque dirs an xattr). applyLayer
// extracts into a staging directory and renames it into place, so two unpacks of the same layer
// cannot mix: the loser finds `fs` present and uses it. A container's rootfs is an overlay of
// those snapshots (top first) with a private upper and work dir under `<root>/mounts/<key>`.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyLayer, type LayerSource } from '../archive/applyLayer';
import { runTool } from '../archive/runTool';
import { digestHex, type Digest } from '../store/digest';
import { GcGate } from '../engine/gate';
import { chainIds } from './chainId';

export interface LayerToUnpack {
  /** The uncompressed digest (config rootfs.diff_ids). */
  diffId: Digest;
  /** Opens the layer blob (compressed or not). */
  open(): Promise<LayerSource>;
}

export interface PreparedRootfs {
  /** The mounted overlay: the container's root. */
  rootfs: string;
}

const MOUNT_OPTIONS = 'index=off,redirect_dir=off,metacopy=off';
const INSTALL_HINT = 'apt-get install -y mount';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export class OverlaySnapshotter {
  private readonly unpacking = new Map<string, Promise<string>>();
  private readonly gate = new GcGate();

  constructor(private readonly root: string) {}

  private get snapshotsDir(): string {
    return join(this.root, 'snapshots');
  }

  private mountDir(key: string): string {
    return join(this.root, 'mounts', key);
  }

  /** Unpacks what is missing; returns the snapshot dirs bottom first. */
  async unpack(layers: readonly LayerToUnpack[]): Promise<string[]> {
    const chains = chainIds(layers.map((l) => l.diffId));
    const dirs: string[] = [];
    for (let i = 0; i < layers.length; i++) dirs.push(await this.unpackOne(chains[i], layers[i]));
    return dirs;
  }

  private unpackOne(chainId: Digest, layer: LayerToUnpack): Promise<string> {
    const hex = digestHex(chainId);
    let pending = this.unpacking.get(hex);
    if (pending === undefined) {
      pending = this.extract(hex, layer).finally(() => this.unpacking.delete(hex));
      this.unpacking.set(hex, pending);
    }
    return pending;
  }

  private async extract(hex: string, layer: LayerToUnpack): Promise<string> {
    const dir = join(this.snapshotsDir, hex);
    const fs = join(dir, 'fs');
    if (await exists(fs)) return fs;
    await mkdir(dir, { recursive: true });
    try {
      const result = await applyLayer(await layer.open(), fs, { whiteouts: 'overlay' });
      if (result.diffId !== layer.diffId) {
        await rm(fs, { recursive: true, force: true });
        throw new Error(`layer content is ${result.diffId}, but the image config says ${layer.diffId}; the image is corrupt: remove it and load it again`);
      }
    } catch (error) {
      // Another process won the rename: its complete snapshot is as good as ours.
      if (await exists(fs)) return fs;
      throw error;
    }
    return fs;
  }

  /** Mounts a fresh rootfs for `key` over the given layers (bottom first). */
  prepare(key: string, layers: readonly LayerToUnpack[]): Promise<PreparedRootfs> {
    // Held shared until mounted: collect() cannot delete a snapshot between unpack and mount.
    return this.gate.withShared(() => this.prepareNow(key, layers));
  }

  private async prepareNow(key: string, layers: readonly LayerToUnpack[]): Promise<PreparedRootfs> {
    const lowers = await this.unpack(layers);
    const base = this.mountDir(key);
    const upper = join(base, 'upper');
    const work = join(base, 'work');
    const rootfs = join(base, 'rootfs');
    for (const d of [upper, work, rootfs]) await mkdir(d, { recursive: true });
    if (lowers.length === 0) {
      // overlayfs wants at least one lower dir; an image without layers gets an empty one.
      const empty = join(base, 'empty');
      await mkdir(empty, { recursive: true });
      lowers.push(empty);
    }
    const lowerdir = [...lowers].reverse().join(':');
    await runTool('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerdir},upperdir=${upper},workdir=${work},${MOUNT_OPTIONS}`, rootfs], INSTALL_HINT);
    return { rootfs };
  }

  /** The rootfs path of `key` (mounted by prepare). */
  rootfsOf(key: string): string {
    return join(this.mountDir(key), 'rootfs');
  }

  /** Unmounts and deletes the container's upper layer; fine to call when already gone. */
  async remove(key: string): Promise<void> {
    const base = this.mountDir(key);
    const rootfs = join(base, 'rootfs');
    if (await isMountPoint(rootfs)) await runTool('umount', [rootfs], INSTALL_HINT);
    await rm(base, { recursive: true, force: true });
  }

  /** Keys with a mount directory (for recovery and tests). */
  async keys(): Promise<string[]> {
    return readdir(join(this.root, 'mounts')).catch(() => []);
  }

  /**
   * Deletes every snapshot no one needs: `keep` lists the ChainIDs of the layers of every image
   * and container. It is asked while no prepare runs and none can start, so a container created
   * meanwhile is either in its answer or not yet mounting. Returns the ChainIDs removed.
   */
  collect(keep: () => Promise<Iterable<Digest>>): Promise<Digest[]> {
    return this.gate.withExclusive(async () => this.collectNow(new Set([...(await keep())].map(digestHex))));
  }

  private async collectNow(wanted: Set<string>): Promise<Digest[]> {
    const removed: Digest[] = [];
    for (const hex of await readdir(this.snapshotsDir).catch(() => [])) {
      if (!HEX_RE.test(hex) || wanted.has(hex) || this.unpacking.has(hex)) continue;
      // Rename first, so a crash midway never leaves a half-deleted `fs` that looks complete.
      const doomed = join(this.snapshotsDir, `.${hex}.removing`);
      await rename(join(this.snapshotsDir, hex), doomed);
      await rm(doomed, { recursive: true, force: true });
      removed.push(`sha256:${hex}`);
    }
    return removed;
  }

  /**
   * Removes what a crash left in the snapshot area: staging dirs of interrupted unpacks
   * (`.fs.partial-*`) and snapshots caught mid-removal. Only safe while nothing unpacks, i.e.
   * when the agent opens its root (which it holds locked).
   */
  async sweep(): Promise<string[]> {
    const swept: string[] = [];
    for (const name of await readdir(this.snapshotsDir).catch(() => [])) {
      const path = join(this.snapshotsDir, name);
      if (name.startsWith('.') && name.endsWith('.removing')) {
        await rm(path, { recursive: true, force: true });
        swept.push(path);
        continue;
      }
      if (!HEX_RE.test(name)) continue;
      for (const inner of await readdir(path).catch(() => [])) {
        if (!inner.startsWith('.fs.partial-')) continue;
        await rm(join(path, inner), { recursive: true, force: true });
        swept.push(join(path, inner));
      }
    }
    return swept;
  }
}

const HEX_RE = /^[0-9a-f]{64}$/;

/** Whether `path` is listed as a mount point in /proc/self/mountinfo. */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => unescapeMount(line.split(' ')[4] ?? '') === path);
}

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
