// A container's mounts and run options in Docker's JSON: the `Mounts` list of `docker inspect`
// and `docker ps`, and the HostConfig / Config fields they came from. Pure functions of the
// record; where a volume lives on the host comes from the caller.
import type { ContainerRecord } from '../container/containerConfig';
import { NO_RUN_OPTIONS, type MountPoint } from '../container/runOptions';

/** A volume's host directory (its Mountpoint), by name. */
export type VolumePath = (name: string) => string;

function mountJson(point: MountPoint, volumePath: VolumePath): Record<string, unknown> {
  if (point.type === 'bind') {
    return { Type: 'bind', Source: point.source, Destination: point.target, Mode: point.mode, RW: !point.readOnly, Propagation: point.propagation || 'rprivate' };
  }
  if (point.type === 'volume') {
    return { Type: 'volume', Name: point.source, Source: volumePath(point.source), Destination: point.target, Driver: 'local', Mode: point.mode, RW: !point.readOnly, Propagation: '' };
  }
  return { Type: 'tmpfs', Source: '', Destination: point.target, Mode: '', RW: !point.readOnly, Propagation: '' };
}

/** Docker lists binds, volumes and `--mount type=tmpfs`; `--tmpfs` shows only in HostConfig.Tmpfs. */
export function mountsJson(record: ContainerRecord, volumePath: VolumePath): Record<string, unknown>[] {
  return (record.mounts ?? []).filter((p) => p.origin !== 'tmpfs').map((p) => mountJson(p, volumePath));
}

/** The HostConfig fields of the run options, as Docker shows them (null when not given). */
export function hostConfigRunJson(record: ContainerRecord): Record<string, unknown> {
  const run = record.run ?? NO_RUN_OPTIONS;
  return {
    Binds: run.binds,
    ...(run.hostMounts !== null ? { Mounts: run.hostMounts } : {}),
    ...(run.tmpfs !== null ? { Tmpfs: run.tmpfs } : {}),
    ReadonlyRootfs: run.readonlyRootfs,
    CapAdd: run.capAdd,
    CapDrop: run.capDrop,
    Privileged: run.privileged,
    ...(run.init !== null ? { Init: run.init } : {}),
  };
}

/** Config.Volumes: the image's VOLUMEs and the request's anonymous volumes, or null. */
export function configVolumesJson(record: ContainerRecord): Record<string, Record<string, never>> | null {
  const targets = new Set<string>(Object.keys(record.run?.volumes ?? {}));
  for (const point of record.mounts ?? []) if (point.origin === 'image' || point.origin === 'volumes') targets.add(point.target);
  return targets.size === 0 ? null : Object.fromEntries([...targets].map((t) => [t, {}]));
}
