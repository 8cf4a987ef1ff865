// apt-get rules (hadolint DL3005, DL3008, DL3009, DL3014, DL3015, DL3027).
// `apt` is accepted wherever `apt-get` is: it hangs on the same prompt and leaves the same
// lists behind; BH033 separately suggests apt-get because apt's CLI is not stable for scripts.
import type { Finding, Rule, RuleContext } from '../rule';
import type { ShellWord } from '../../shell';
import { analyse, uncommittedMounts } from './analysis';
import type { RunCommand, RunInfo } from './analysis';
import { hasOption, parseArgs } from './command';
import type { ParsedArgs } from './command';
import { appendCommand, insertArgumentAfter, span } from './edits';

const APT_OPTIONS = {
  shortValue: 'ocat',
  longValue: ['option', 'config-file', 'target-release', 'default-release', 'host-architecture', 'build-profiles'],
};

interface AptCall {
  readonly command: RunCommand;
  readonly name: string;
  readonly parsed: ParsedArgs;
  /** `install`, `update`...: the first operand. */
  readonly sub: ShellWord;
}

// Five rules look at the apt calls of every RUN: read them once per RUN (the analysis, and
// so each RunInfo, lives as long as the parsed Dockerfile). Callers must not modify the list.
const aptCallsCache = new WeakMap<RunInfo, readonly AptCall[]>();

/** The `apt-get` and `apt` calls of a RUN with a known subcommand. */
function aptCalls(info: RunInfo): readonly AptCall[] {
  const cached = aptCallsCache.get(info);
  if (cached) return cached;
  const calls: AptCall[] = [];
  for (const command of info.commands) {
    const { name, args } = command.invocation;
    if (name !== 'apt-get' && name !== 'apt') continue;
    const parsed = parseArgs(args, APT_OPTIONS);
    const sub = parsed.operands[0];
    if (sub && !sub.expands) calls.push({ command, name, parsed, sub });
  }
  aptCallsCache.set(info, calls);
  return calls;
}

function installs(ctx: RuleContext): AptCall[] {
  return analyse(ctx).runs.flatMap((info) => aptCalls(info).filter((c) => c.sub.value === 'install'));
}

/** The `-o Name=value` settings given to apt-get. */
function aptSetting(parsed: ParsedArgs, name: RegExp): string | null {
  for (const o of parsed.options) {
    if ((o.name === 'o' || o.name === 'option') && o.value) {
      const eq = o.value.indexOf('=');
      if (eq > 0 && name.test(o.value.slice(0, eq))) return o.value.slice(eq + 1);
    }
  }
  return null;
}

const TRUE = /^(true|yes|1|on)$/i;

function assumesYes(parsed: ParsedArgs): boolean {
  if (hasOption(parsed, 'y', 'yes', 'assume-yes')) return true;
  // Quiet level 2 (-qq) implies -y.
  const quiet = parsed.options.reduce((n, o) => (o.name === 'q' ? n + 1 : o.name === 'quiet' ? n + (Number(o.value) || 1) : n), 0);
  return quiet >= 2 || TRUE.test(aptSetting(parsed, /^APT::Get::Assume-Yes$/i) ?? '');
}

export const aptGetMissingYes: Rule = {
  id: 'BH020',
  hadolint: ['DL3014'],
  name: 'apt-get-install-yes',
  defaultSeverity: 'warning',
  description: 'A build cannot answer prompts, so apt-get install must be told to assume yes.',
  check(ctx) {
    return installs(ctx)
      .filter((c) => !assumesYes(c.parsed))
      .map((c) => ({
        range: span(c.command.invocation.word, c.sub),
        message: `${c.name} install without -y waits for a confirmation that never comes in a build; add -y.`,
        fix: { title: 'Add -y', edits: [insertArgumentAfter(c.sub, '-y')] },
      }));
  },
};

export const aptGetNoInstallRecommends: Rule = {
  id: 'BH021',
  hadolint: ['DL3015'],
  name: 'apt-get-no-install-recommends',
  defaultSeverity: 'info',
  description: 'Recommended packages are rarely needed in an image and make it bigger.',
  check(ctx) {
    return installs(ctx)
      .filter((c) => !hasOption(c.parsed, 'no-install-recommends'))
      .filter((c) => !/^(false|no|0|off)$/i.test(aptSetting(c.parsed, /^APT::Install-Recommends$/i) ?? ''))
      .map((c) => ({
        range: span(c.command.invocation.word, c.sub),
        message: `${c.name} install also installs recommended packages, which makes the image bigger; add --no-install-recommends.`,
        fix: { title: 'Add --no-install-recommends', edits: [insertArgumentAfter(c.sub, '--no-install-recommends')] },
      }));
  },
};

const APT_LISTS = '/var/lib/apt/lists';

function removesAptLists(command: RunCommand): boolean {
  const { name, args } = command.invocation;
  return name === 'rm' && args.some((a) => /^\/var\/lib\/apt(\/lists)?\/?\*?$/.test(a.value));
}

export const aptGetListsCleanup: Rule = {
  id: 'BH022',
  hadolint: ['DL3009'],
  name: 'apt-get-lists-cleanup',
  defaultSeverity: 'info',
  description: 'Package lists downloaded by apt-get update stay in the layer unless the same RUN deletes them.',
  check(ctx) {
    const analysis = analyse(ctx);
    const findings: Finding[] = [];
    for (const info of analysis.runs) {
      // Stages that are only copied from never ship their lists; cache/tmpfs mounts are not committed.
      if (!info.stage.inFinalImage) continue;
      if (uncommittedMounts(info.run).some((t) => APT_LISTS.startsWith(t) && t.startsWith('/var/lib/apt'))) continue;
      const calls = aptCalls(info);
      const lastUpdate = [...calls].reverse().find((c) => c.sub.value === 'update');
      if (!lastUpdate) continue;
      const after = info.commands.slice(info.commands.indexOf(lastUpdate.command));
      if (after.some(removesAptLists)) continue;
      // Only offer the fix when this RUN also installs: if a later RUN installs, deleting the
      // lists here would break it.
      const lastInstall = [...calls].reverse().find((c) => c.sub.value === 'install');
      const installsAfter = lastInstall && calls.indexOf(lastInstall) > calls.indexOf(lastUpdate);
      const edit = installsAfter ? appendCommand(analysis, lastInstall.command.segment, 'rm -rf /var/lib/apt/lists/*') : null;
      findings.push({
        range: span(lastUpdate.command.invocation.word, lastUpdate.sub),
        message: installsAfter
          ? 'The package lists from apt-get update stay in this layer; end the RUN with `rm -rf /var/lib/apt/lists/*`.'
          : 'The package lists from apt-get update stay in this layer; update, install and `rm -rf /var/lib/apt/lists/*` in one RUN.',
        ...(edit ? { fix: { title: 'Append rm -rf /var/lib/apt/lists/*', edits: [edit] } } : {}),
      });
    }
    return findings;
  },
};

export const aptGetPinVersions: Rule = {
  id: 'BH023',
  hadolint: ['DL3008'],
  name: 'apt-get-pin-versions',
  defaultSeverity: 'warning',
  description: 'Unpinned packages make rebuilds install whatever version is current, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const c of installs(ctx)) {
      for (const pkg of c.parsed.operands.slice(1)) {
        // pkg=version is pinned; pkg/release and ./file.deb are explicit choices; $PKGS is unknown.
        if (pkg.expands || /[=/]/.test(pkg.value) || pkg.value.endsWith('.deb')) continue;
        findings.push({
          range: pkg.range,
          message: `Package ${pkg.value} is not pinned, so a rebuild can install a different version; use ${pkg.value}=<version>.`,
        });
      }
    }
    return findings;
  },
};

// apt subcommands that apt-get has too, so `apt` can be replaced mechanically.
const APT_GET_SUBCOMMANDS = new Set([
  'update', 'upgrade', 'install', 'remove', 'purge', 'autoremove', 'dist-upgrade', 'full-upgrade',
  'clean', 'autoclean', 'source', 'build-dep', 'download', 'changelog', 'check', 'satisfy',
]);

export const aptInsteadOfAptGet: Rule = {
  id: 'BH033',
  hadolint: ['DL3027'],
  name: 'use-apt-get',
  defaultSeverity: 'warning',
  description: "apt's command line is meant for people and may change between releases; scripts should use apt-get.",
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const command of info.commands) {
        const { name, word, args } = command.invocation;
        if (name !== 'apt') continue;
        const sub = parseArgs(args, APT_OPTIONS).operands[0];
        // full-upgrade is apt's name for apt-get dist-upgrade.
        const canFix = sub && APT_GET_SUBCOMMANDS.has(sub.value) && (word.argv || !word.quoted);
        const edits = !canFix
          ? []
          : [
              word.argv
                ? { range: word.range, newText: JSON.stringify(`${word.value}-get`) }
                : { range: { start: word.range.end, end: word.range.end }, newText: '-get' },
              ...(sub.value === 'full-upgrade' ? [{ range: sub.range, newText: sub.argv ? '"dist-upgrade"' : 'dist-upgrade' }] : []),
            ];
        findings.push({
          range: word.range,
          message: 'apt is meant for interactive use and its output and options may change; use apt-get in a Dockerfile.',
          ...(canFix ? { fix: { title: 'Replace apt with apt-get', edits } } : {}),
        });
      }
    }
    return findings;
  },
};

export const aptGetUpgrade: Rule = {
  id: 'BH034',
  hadolint: ['DL3005'],
  name: 'apt-get-upgrade',
  defaultSeverity: 'info',
  description: 'Upgrading all packages makes the image depend on the day it was built; a newer base image is more predictable.',
  check(ctx) {
    return analyse(ctx)
      .runs.flatMap((info) => aptCalls(info))
      .filter((c) => ['upgrade', 'dist-upgrade', 'full-upgrade'].includes(c.sub.value))
      .map((c) => ({
        range: span(c.command.invocation.word, c.sub),
        message: `${c.name} ${c.sub.value} makes the image depend on whatever updates exist at build time; prefer an up-to-date base image, or upgrade only the packages you need.`,
      }));
  },
};
