// A container's mounts and security options between the pure rules (mounts.ts,
// capabilities.ts) and the disk: at create it names anonymous volumes, creates volumes and
// missing `-v` sources, copies the image's content into new empty volumes (Docker's copy-up)
// and creates a missing working directory; for the spec it gives the OCI mounts, capabilities,
// devices and the init; at removal it drops the container's anonymous volumes.
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, stat } from 'node:fs/promises';
import { identityIdMap, type IdMapper } from '../archive/idMap';
import { runTool } from '../archive/runTool';
import { resolveDirInRoot } from '../archive/scopedPath';
import { capabilitiesInMask, effectiveCapabilities } from '../container/capabilities';
import type { ContainerRecord, CreateRequest } from '../container/containerConfig';
import { hostDevices } from '../container/hostDevices';
import { findInitBinary } from '../container/initBinary';
import { initMount, MountPlanError, ociMounts, planMounts, withInit } from '../container/mounts';
import type { OciDevice, SpecInput } from '../container/ociSpec';
import { NO_RUN_OPTIONS, type MountPoint } from '../container/runOptions';
import type { ContainerConfig } from '../store/imageConfig';
import { EngineError } from './engineError';
import type { VolumeService } from './volumeService';

export type SpecExtras = Required<Pick<SpecInput, 'args' | 'mounts' | 'capabilities' | 'readonlyRootfs' | 'privileged' | 'devices'>>;

export interface ContainerMountsDeps {
  volumes: VolumeService;
  /** Container ids → host ids (idMap.ts), for directories berth creates inside the rootfs. */
  toHost?: IdMapper;
  findInit?: () => Promise<string>;
  devices?: () => Promise<OciDevice[]>;
}

export class ContainerMounts {
  constructor(private readonly deps: ContainerMountsDeps) {}

  /** The container's mounts; throws EngineError 'invalid-argument' on a conflict. */
  plan(request: CreateRequest, image: ContainerConfig): MountPoint[] {
    try {
      return planMounts(request.run?.mounts ?? [], Object.keys(image.Volumes ?? {}), () => randomBytes(32).toString('hex'));
    } catch (error) {
      if (error instanceof MountPlanError) throw new EngineError('invalid-argument', error.message);
      throw error;
    }
  }

  /**
   * Makes the planned mounts real on disk. When it (or anything later in create) fails, the
   * caller's `release` removes the anonymous volumes made so far; named ones stay, as in Docker.
   */
  async prepare(record: ContainerRecord, rootfs: string): Promise<void> {
    for (const point of record.mounts ?? []) {
      if (point.type === 'bind') await this.prepareBind(point);
      else if (point.type === 'volume') await this.prepareVolume(point, rootfs);
    }
    await this.ensureWorkingDir(rootfs, record.config.workingDir);
  }

  private async prepareBind(point: MountPoint): Promise<void> {
    if (await exists(point.source)) return;
    if (!point.createSource) throw new EngineError('invalid-argument', `invalid mount config for type "bind": bind source path does not exist: ${point.source}`);
    // `-v /missing:/x`: Docker creates the host directory, owned by root.
    await mkdir(point.source, { recursive: true, mode: 0o755 });
  }

  private async prepareVolume(point: MountPoint, rootfs: string): Promise<void> {
    const { volumes } = this.deps;
    await volumes.ensure(point.source, { labels: point.volumeLabels, anonymous: point.anonymous });
    if (point.noCopy || !(await volumes.isEmpty(point.source))) return;
    // Copy-up: an empty volume mounted where the image has a directory starts with its content
    // (owners, modes and links kept). The path is resolved inside the rootfs, so an image's
    // symlink cannot point the copy at the host.
    const found = await resolveDirInRoot(rootfs, point.target.split('/'));
    if (!found.ok) return;
    await runTool('cp', ['-a', '--', `${found.path}/.`, volumes.dataPath(point.source)], 'apt-get install -y coreutils');
  }

  /** Docker creates a missing WORKDIR / `-w` directory, owned by the container's root. */
  private async ensureWorkingDir(rootfs: string, workingDir: string): Promise<void> {
    const owner = (this.deps.toHost ?? identityIdMap)(0, 0);
    const found = await resolveDirInRoot(rootfs, workingDir.split('/'), async (path) => {
      await chown(path, owner.uid, owner.gid);
    });
    if (!found.ok) {
      throw new EngineError('invalid-argument', `the working directory ${workingDir} cannot be created: ${found.at} in the image is ${found.reason === 'not-a-directory' ? 'not a directory' : 'a symlink loop'}; choose another -w / WORKDIR`);
    }
  }

  /** Spec facts for the record: mounts, capabilities, devices, and argv with the init in front. */
  async specExtras(record: ContainerRecord, argv: readonly string[]): Promise<SpecExtras> {
    const run = record.run ?? NO_RUN_OPTIONS;
    const mounts = ociMounts(record.mounts ?? [], (name) => this.deps.volumes.dataPath(name));
    let args = [...argv];
    if (run.init === true) {
      mounts.push(initMount(await (this.deps.findInit ?? findInitBinary)()));
      args = withInit(args);
    }
    return {
      args,
      mounts,
      capabilities: effectiveCapabilities({ add: run.capAdd ?? [], drop: run.capDrop ?? [], privileged: run.privileged }, await grantableCapabilities()),
      readonlyRootfs: run.readonlyRootfs,
      privileged: run.privileged,
      devices: run.privileged ? await (this.deps.devices ?? (() => hostDevices()))() : [],
    };
  }

  /** Announces the volume mounts of a container that just started. */
  started(record: ContainerRecord): void {
    for (const point of record.mounts ?? []) {
      if (point.type !== 'volume') continue;
      this.deps.volumes.mounted(point.source, { container: record.id, destination: point.target, propagation: point.propagation, 'read/write': String(!point.readOnly) });
    }
  }

  /** After the container is gone: with `removeAnonymous`, its anonymous volumes go too. */
  async release(record: ContainerRecord, options: { removeAnonymous: boolean }): Promise<void> {
    if (!options.removeAnonymous) return;
    const { volumes } = this.deps;
    for (const point of record.mounts ?? []) {
      if (point.type !== 'volume' || !point.anonymous) continue;
      if (volumes.usedBy(point.source).some((id) => id !== record.id)) continue;
      await volumes.remove(point.source, { force: true, except: record.id });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * What this agent may grant: its own bounding set (a sandboxed host may lack some), as Docker
 * does since it stopped assuming every capability the kernel knows.
 */
async function grantableCapabilities(): Promise<string[] | undefined> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const match = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  return match === null ? undefined : capabilitiesInMask(match[1]);
}
