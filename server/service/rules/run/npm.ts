// npm rule (hadolint DL3016).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';
import { parseArgs } from './command';

const NPM_OPTIONS = {
  shortValue: 'w',
  longValue: ['registry', 'prefix', 'cache', 'userconfig', 'globalconfig', 'workspace', 'tag', 'omit', 'include', 'install-strategy', 'loglevel'],
};

// The forms hadolint accepts as pinned: name@version/tag, git URLs with #ref, tarballs, folders.
function pinned(pkg: string): boolean {
  if (/^git(\+(ssh|https?))?:\/\//.test(pkg)) return pkg.includes('#');
  if (/\.(tar|tar\.gz|tgz)$/.test(pkg) || /^(\/|\.\/|\.\.\/|~\/)/.test(pkg)) return true;
  // A scope (@types/node) is not a version; the @ after the name is.
  const name = pkg.startsWith('@') ? pkg.slice(pkg.indexOf('/') + 1) : pkg;
  return name.includes('@');
}

export const npmPinVersions: Rule = {
  id: 'BH025',
  hadolint: ['DL3016'],
  name: 'npm-pin-versions',
  defaultSeverity: 'warning',
  description: 'Unpinned npm packages make rebuilds install whatever version is current, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { invocation } of info.commands) {
        if (invocation.name !== 'npm') continue;
        const { operands } = parseArgs(invocation.args, NPM_OPTIONS);
        // `npm install` with no package installs package.json's (locked) dependencies: fine.
        if (!['install', 'i', 'add'].includes(operands[0]?.value ?? '')) continue;
        for (const pkg of operands.slice(1)) {
          if (pkg.expands || pinned(pkg.value)) continue;
          findings.push({
            range: pkg.range,
            message: `npm package ${pkg.value} is not pinned, so a rebuild can install a different version; use ${pkg.value}@<version>.`,
          });
        }
      }
    }
    return findings;
  },
};
