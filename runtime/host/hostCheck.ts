// What the host must have before berth can run containers: crun and conmon on PATH, and a cgroup
// layout crun accepts. Images work without any of it, so serve reports problems at start and
// container requests answer with the same message instead of failing obscurely inside crun.
import { access, readFile, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface HostTools {
  crun: string;
  conmon: string;
}

export type HostCheck = { ok: true; tools: HostTools } | { ok: false; problems: string[] };

export const HYBRID_CGROUP_FIX = 'mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb';

/** The absolute path of `name` on PATH, or undefined. */
export async function findOnPath(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Hybrid mode: the cgroup2 mount at `unified` lists controllers no v1 hierarchy has taken, and
 * crun then refuses every container. Returns the controllers in question (empty when fine).
 */
export async function hybridCgroupControllers(cgroupRoot = '/sys/fs/cgroup'): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(cgroupRoot, 'unified', 'cgroup.controllers'), 'utf8');
  } catch {
    return []; // no unified mount beside v1: pure v1 or pure v2
  }
  const controllers = text.split(/\s+/).filter((c) => c !== '');
  if (controllers.length === 0) return [];
  const entries = await readdir(cgroupRoot).catch(() => [] as string[]);
  const hasV1 = entries.some((e) => e !== 'unified' && e !== 'systemd');
  return hasV1 ? controllers : [];
}

export function hybridCgroupMessage(controllers: string[]): string {
  const fix = controllers.map((c) => `mkdir -p /sys/fs/cgroup/${c} && mount -t cgroup -o ${c} cgroup /sys/fs/cgroup/${c}`).join(' && ');
  return (
    `cgroups are in hybrid mode: the cgroup2 mount /sys/fs/cgroup/unified lists the controller(s) ${controllers.join(', ')} ` +
    `that no cgroup v1 hierarchy has taken, and crun refuses to start any container ("cgroups in hybrid mode not supported"). ` +
    `Bind them to v1 hierarchies, as root: ${fix}`
  );
}

export async function checkHost(options: { path?: string; cgroupRoot?: string } = {}): Promise<HostCheck> {
  const problems: string[] = [];
  const crun = await findOnPath('crun', options.path);
  const conmon = await findOnPath('conmon', options.path);
  const missing = [crun === undefined ? 'crun' : undefined, conmon === undefined ? 'conmon' : undefined].filter((m): m is string => m !== undefined);
  if (missing.length > 0) problems.push(`${missing.join(' and ')} not found on PATH; berth runs containers with them. Install them (Debian): apt-get install -y crun conmon`);
  const hybrid = await hybridCgroupControllers(options.cgroupRoot);
  if (hybrid.length > 0) problems.push(hybridCgroupMessage(hybrid));
  if (problems.length > 0 || crun === undefined || conmon === undefined) return { ok: false, problems };
  return { ok: true, tools: { crun, conmon } };
}
