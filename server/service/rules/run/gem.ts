// gem rule (hadolint DL3028).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';
import { hasOption, parseArgs } from './command';

const GEM_OPTIONS = {
  shortValue: 'inPsgv',
  longValue: ['install-dir', 'bindir', 'trust-policy', 'source', 'file', 'platform', 'build-root', 'version'],
};

export const gemPinVersions: Rule = {
  id: 'BH039',
  hadolint: ['DL3028'],
  name: 'gem-pin-versions',
  defaultSeverity: 'warning',
  description: 'Unpinned gems make rebuilds install whatever version is current, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { invocation } of info.commands) {
        if (invocation.name !== 'gem') continue;
        // Words after `--` are build options for the gem's extensions, not gems.
        const dashes = invocation.args.findIndex((a) => a.value === '--' && !a.quoted);
        const parsed = parseArgs(dashes < 0 ? invocation.args : invocation.args.slice(0, dashes), GEM_OPTIONS);
        if (!['install', 'i'].includes(parsed.operands[0]?.value ?? '') || hasOption(parsed, 'v', 'version')) continue;
        for (const gem of parsed.operands.slice(1)) {
          if (gem.expands || gem.value.includes(':') || gem.value.endsWith('.gem')) continue;
          findings.push({
            range: gem.range,
            message: `gem ${gem.value} is not pinned, so a rebuild can install a different version; use ${gem.value}:<version> or -v <version>.`,
          });
        }
      }
    }
    return findings;
  },
};
