// The Debian packages the tests need, checked by the command each one provides. When a command
// is missing: as root, install its package with apt-get; otherwise fail with the exact command
// to run. Used by scripts/test.mjs (and so by npm test and .ci/run).
import { spawnSync } from 'node:child_process';

export const SYSTEM_PACKAGES = [
  // setfattr/getfattr: overlay whiteouts (opaque directories) in layer snapshots and diffs.
  { command: 'setfattr', pkg: 'attr' },
  // dockerd: the reference engine the interoperability tests load berth's images into.
  { command: 'dockerd', pkg: 'docker.io' },
  // A static busybox: the base image the tests build (the dynamic `busybox` package is not enough).
  { command: 'busybox', pkg: 'busybox-static', check: 'test -x /bin/busybox && ! ldd /bin/busybox >/dev/null 2>&1' },
  // The container runtime berth drives: crun runs containers, conmon monitors them.
  { command: 'crun', pkg: 'crun' },
  { command: 'conmon', pkg: 'conmon' },
  // The reference registry the registry client is tested against; htpasswd (bcrypt lines, which
  // the registry requires) for its Basic auth; openssl for the Bearer-token test's certificate.
  { command: 'docker-registry', pkg: 'docker-registry' },
  { command: 'htpasswd', pkg: 'apache2-utils' },
  { command: 'openssl', pkg: 'openssl' },
  // A static tini: what `docker run --init` runs as PID 1 (mounted at /sbin/docker-init).
  { command: 'tini-static', pkg: 'tini' },
  // The browser the end-to-end tests drive (through playwright-core) against code-server.
  { command: 'chromium', pkg: 'chromium' },
];

function isPresent({ command, check }) {
  return spawnSync('sh', ['-c', check ?? `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function ensureSystemPackages(packages = SYSTEM_PACKAGES) {
  const missing = [...new Set(packages.filter((p) => !isPresent(p)).map((p) => p.pkg))];
  if (missing.length === 0) return;
  const install = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.error(`berth's tests need these Debian packages: ${missing.join(', ')}.\nInstall them with:\n  sudo apt-get update && sudo ${install}`);
    process.exit(1);
  }
  console.log(`installing missing system packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const cmd of ['apt-get update -qq', `${install} -qq`]) {
    const result = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`'${cmd}' failed (exit ${result.status}); install the packages by hand: ${install}`);
      process.exit(1);
    }
  }
}
