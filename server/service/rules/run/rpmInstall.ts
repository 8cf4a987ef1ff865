// yum / dnf / microdnf / zypper install without -y (hadolint DL3030, DL3038, DL3034).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';
import { hasOption, parseArgs } from './command';
import type { OptionSpec } from './command';
import { insertArgumentAfter, span } from './edits';

interface Manager {
  readonly options: OptionSpec;
  readonly subcommands: readonly string[];
  /** Options that answer yes to the confirmation. */
  readonly yes: readonly string[];
}

const DNF: Manager = {
  options: { shortValue: 'cdexR', longValue: ['config', 'exclude', 'enablerepo', 'disablerepo', 'installroot', 'releasever', 'setopt', 'repo', 'repoid'] },
  subcommands: ['install', 'groupinstall', 'localinstall'],
  yes: ['y', 'assumeyes'],
};

const MANAGERS: Readonly<Record<string, Manager>> = {
  yum: DNF,
  dnf: DNF,
  microdnf: DNF,
  zypper: {
    options: { shortValue: 'cRDCtr', longValue: ['config', 'root', 'reposd-dir', 'cache-dir', 'raw-cache-dir', 'solv-cache-dir', 'pkg-cache-dir', 'type', 'repo', 'from'] },
    subcommands: ['install', 'in'],
    // zypper's global -n/--non-interactive works as well as install's -y/--no-confirm.
    yes: ['y', 'no-confirm', 'n', 'non-interactive'],
  },
};

export const rpmInstallMissingYes: Rule = {
  id: 'BH037',
  hadolint: ['DL3030', 'DL3034', 'DL3038'],
  name: 'rpm-install-yes',
  defaultSeverity: 'warning',
  description: 'A build cannot answer prompts, so yum, dnf, microdnf and zypper installs must be told to assume yes.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { invocation } of info.commands) {
        const manager = Object.prototype.hasOwnProperty.call(MANAGERS, invocation.name) ? MANAGERS[invocation.name] : undefined;
        if (!manager) continue;
        const parsed = parseArgs(invocation.args, manager.options);
        const sub = parsed.operands[0];
        if (!sub || !manager.subcommands.includes(sub.value) || hasOption(parsed, ...manager.yes)) continue;
        findings.push({
          range: span(invocation.word, sub),
          message: `${invocation.name} ${sub.value} without -y waits for a confirmation that never comes in a build; add -y.`,
          fix: { title: 'Add -y', edits: [insertArgumentAfter(sub, '-y')] },
        });
      }
    }
    return findings;
  },
};
