// useradd rule (hadolint DL3046).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';
import { hasOption, parseArgs } from './command';
import { insertArgumentAfter } from './edits';

const USERADD_OPTIONS = {
  shortValue: 'bcdefgGkKpsuRPZ',
  longValue: ['base-dir', 'comment', 'home-dir', 'expiredate', 'inactive', 'gid', 'groups', 'skel', 'key', 'password', 'shell', 'uid', 'root', 'prefix', 'selinux-user', 'btrfs-subvolume-home'],
};

export const useraddNoLogInit: Rule = {
  id: 'BH031',
  hadolint: ['DL3046'],
  name: 'useradd-no-log-init',
  defaultSeverity: 'warning',
  description: 'useradd records a high UID in the sparse lastlog/faillog files, which Docker stores fully expanded (gigabytes).',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { invocation } of info.commands) {
        if (invocation.name !== 'useradd') continue;
        const parsed = parseArgs(invocation.args, USERADD_OPTIONS);
        const uid = parsed.options.find((o) => o.name === 'u' || o.name === 'uid')?.value ?? '';
        // Like hadolint: a UID of six digits or more; an unknown ($UID) one is not reported.
        if (!/^\d{6,}$/.test(uid) || hasOption(parsed, 'l', 'no-log-init')) continue;
        findings.push({
          range: invocation.word.range,
          message: `useradd with the high UID ${uid} and without -l writes huge sparse log files into the layer; add -l (--no-log-init).`,
          fix: { title: 'Add -l', edits: [insertArgumentAfter(invocation.word, '-l')] },
        });
      }
    }
    return findings;
  },
};
