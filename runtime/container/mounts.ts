// A container's mounts as Docker decides them, as pure functions: which request wins at a
// destination (planMounts), and the OCI spec mounts that result (ociMounts), plus the init
// binary's mount. No I/O: volume paths come from a function the caller passes.
import type { OciMount } from './ociSpec';
import type { MountPoint, MountRequest } from './runOptions';

export class MountPlanError extends Error {
  override name = 'MountPlanError';
}

/** Where Docker puts its init and what it runs: `/sbin/docker-init -- <cmd>`. */
export const INIT_PATH = '/sbin/docker-init';

export function withInit(args: readonly string[]): string[] {
  return [INIT_PATH, '--', ...args];
}

/**
 * The mounts a container gets. Precedence as in Docker: the image's VOLUMEs and Config.Volumes
 * (anonymous volumes) give way to -v, --mount and --tmpfs at the same destination; two of
 * those at one destination are an error. `newVolumeName` names each anonymous volume.
 */
export function planMounts(requests: readonly MountRequest[], imageVolumes: readonly string[], newVolumeName: () => string): MountPoint[] {
  const byTarget = new Map<string, MountRequest>();
  const anonymous = (target: string): MountRequest => ({
    type: 'volume', source: '', target, readOnly: false, propagation: '', createSource: false, noCopy: false, volumeLabels: {}, tmpfsOptions: [], mode: '', origin: 'image',
  });
  for (const path of imageVolumes) {
    const target = normalizeTarget(path);
    if (target !== '/') byTarget.set(target, anonymous(target));
  }
  for (const request of requests.filter((r) => r.origin === 'volumes')) byTarget.set(request.target, request);
  const explicit = new Set<string>();
  for (const request of requests.filter((r) => r.origin !== 'volumes')) {
    if (explicit.has(request.target)) throw new MountPlanError(`Duplicate mount point: ${request.target}`);
    explicit.add(request.target);
    byTarget.set(request.target, request);
  }
  return [...byTarget.values()].map((request) => {
    const isAnonymous = request.type === 'volume' && request.source === '';
    return { ...request, source: isAnonymous ? newVolumeName() : request.source, anonymous: isAnonymous };
  });
}

function normalizeTarget(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev'];

/** Flags where a later one replaces an earlier one (moby's MergeTmpfsOptions). */
const OPPOSITES: Record<string, string> = {
  ro: 'rw', rw: 'ro', exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev',
  atime: 'noatime', noatime: 'atime', diratime: 'nodiratime', nodiratime: 'diratime', relatime: 'norelatime', norelatime: 'relatime',
  strictatime: 'nostrictatime', nostrictatime: 'strictatime', sync: 'async', async: 'sync',
};

/** tmpfs options with Docker's defaults first and the last word winning. */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const out: string[] = [];
  for (const option of [...TMPFS_DEFAULTS, ...options]) {
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq + 1);
    const clash = out.findIndex((o) => (eq < 0 ? o === option || o === OPPOSITES[option] : o.startsWith(key)));
    if (clash >= 0) out.splice(clash, 1);
    out.push(option);
  }
  return out;
}

/**
 * The OCI mounts for `points`, parents before children. Binds and volumes are recursive binds,
 * private unless asked otherwise (Docker's rprivate); `volumePath` gives a volume's directory.
 */
export function ociMounts(points: readonly MountPoint[], volumePath: (name: string) => string): OciMount[] {
  const mounts = points.map((point): OciMount => {
    if (point.type === 'tmpfs') {
      const options = mergeTmpfsOptions(point.readOnly ? [...point.tmpfsOptions, 'ro'] : point.tmpfsOptions);
      return { destination: point.target, type: 'tmpfs', source: 'tmpfs', options };
    }
    const source = point.type === 'bind' ? point.source : volumePath(point.source);
    return { destination: point.target, type: 'bind', source, options: ['rbind', point.readOnly ? 'ro' : 'rw', point.propagation || 'rprivate'] };
  });
  const depth = (path: string): number => path.split('/').filter((p) => p !== '').length;
  return mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map(({ m }) => m);
}

/** The init binary, read-only at INIT_PATH. */
export function initMount(hostPath: string): OciMount {
  return { destination: INIT_PATH, type: 'bind', source: hostPath, options: ['bind', 'ro'] };
}
