// Test setup for running containers: the host must pass berth's own check. On these machines
// that means binding the cgroup2 controllers a v1 hierarchy has not taken (hybrid mode), which
// setup does as root, exactly as the agent's message tells a user to.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { checkHost, hybridCgroupControllers } from '../../../runtime/host/hostCheck';

export async function prepareContainerHost(): Promise<void> {
  for (const controller of await hybridCgroupControllers()) {
    if (process.getuid?.() !== 0) throw new Error(`cgroups are in hybrid mode (${controller}); running containers needs root to fix it`);
    execFileSync('sh', ['-c', `mkdir -p /sys/fs/cgroup/${controller} && mount -t cgroup -o ${controller} cgroup /sys/fs/cgroup/${controller}`], { stdio: 'inherit' });
  }
  const host = await checkHost();
  if (!host.ok) throw new Error(`this host cannot run containers: ${host.problems.join('; ')}`);
}

/** Mount points at or under `dir` (from /proc/mounts). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/mounts', 'utf8');
  return text
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`));
}
