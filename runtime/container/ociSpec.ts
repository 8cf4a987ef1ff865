// The OCI runtime spec (config.json) for a container, as a pure function of plain facts: what
// Docker's default profile gives a container (or a --privileged one), minus what berth does not
// do yet (seccomp, AppArmor, resource limits). The caller's mounts come from mounts.ts.

export interface SpecInput {
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  hostname: string;
  /** 'none': a new network namespace with loopback only; 'host': the host's. */
  network: 'none' | 'host';
  terminal: boolean;
  /** [height, width] the runtime gives the terminal before the process runs (with `terminal`). */
  consoleSize?: [number, number];
  /** RLIMIT_NOFILE for the process: Docker's 1048576, capped by what the agent itself may raise to. */
  nofile: number;
  /** cgroup path for the runtime, or undefined to let it choose. */
  cgroupsPath?: string;
  /** Mounts after the defaults (mounts.ts); one at a default's destination replaces that default. */
  mounts?: OciMount[];
  /** Bounding/effective/permitted set (capabilities.ts); default: Docker's. */
  capabilities?: string[];
  /** `--read-only`. */
  readonlyRootfs?: boolean;
  /** `--privileged`: no masked or read-only /proc paths, /sys and cgroups writable, every device allowed. */
  privileged?: boolean;
  /** Device nodes to create in /dev (the host's, for --privileged). */
  devices?: OciDevice[];
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciDevice {
  path: string;
  type: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

/** Docker's default capability set. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Docker's default open-files limit. */
export const DEFAULT_NOFILE = 1048576;

const MOUNTS: OciMount[] = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
];

// Docker's default device cgroup rules: deny all, then the standard character devices.
const DEVICE_RULES = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // /dev/full
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // /dev/net/tun
];

export function ociSpec(input: SpecInput): Record<string, unknown> {
  const namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.network === 'none') namespaces.push({ type: 'network' });
  const privileged = input.privileged === true;
  const caps = input.capabilities ?? DEFAULT_CAPABILITIES;
  const own = input.mounts ?? [];
  const taken = new Set(own.map((m) => m.destination));
  const defaults = MOUNTS.filter((m) => !taken.has(m.destination)).map((m) => ({
    ...m,
    // Docker leaves /sys and the cgroup tree writable for a privileged container.
    options: m.options === undefined ? undefined : privileged && (m.type === 'sysfs' || m.type === 'cgroup') ? m.options.filter((o) => o !== 'ro') : [...m.options],
  }));
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: input.terminal,
      ...(input.terminal && input.consoleSize !== undefined ? { consoleSize: { height: input.consoleSize[0], width: input.consoleSize[1] } } : {}),
      user: { uid: input.uid, gid: input.gid, ...(input.additionalGids.length > 0 ? { additionalGids: input.additionalGids } : {}) },
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities: {
        bounding: caps,
        effective: caps,
        permitted: caps,
        // Docker gives a non-root user no inheritable or ambient capabilities.
        inheritable: input.uid === 0 ? caps : [],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: input.nofile, soft: input.nofile }],
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs === true },
    hostname: input.hostname,
    mounts: [...defaults, ...own.map((m) => ({ ...m, options: m.options === undefined ? undefined : [...m.options] }))],
    linux: {
      ...(input.cgroupsPath !== undefined ? { cgroupsPath: input.cgroupsPath } : {}),
      resources: { devices: privileged ? [{ allow: true, access: 'rwm' }] : DEVICE_RULES },
      namespaces,
      ...(input.devices !== undefined && input.devices.length > 0 ? { devices: input.devices } : {}),
      maskedPaths: privileged ? [] : MASKED_PATHS,
      readonlyPaths: privileged ? [] : READONLY_PATHS,
    },
  };
}
