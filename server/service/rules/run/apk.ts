// apk rules (hadolint DL3018, DL3019).
import type { Finding, Rule, RuleContext } from '../rule';
import type { ShellWord } from '../../shell';
import { analyse, uncommittedMounts } from './analysis';
import type { RunCommand, RunInfo } from './analysis';
import { hasOption, parseArgs } from './command';
import type { ParsedArgs } from './command';
import { insertArgumentAfter, span } from './edits';

const APK_OPTIONS = {
  shortValue: 'tXp',
  longValue: ['virtual', 'repository', 'root', 'keys-dir', 'arch', 'cache-dir', 'repositories-file', 'cache-max-age', 'timeout'],
};

interface ApkAdd {
  readonly info: RunInfo;
  readonly command: RunCommand;
  readonly parsed: ParsedArgs;
  readonly add: ShellWord;
}

function apkAdds(ctx: RuleContext): ApkAdd[] {
  const out: ApkAdd[] = [];
  for (const info of analyse(ctx).runs) {
    for (const command of info.commands) {
      if (command.invocation.name !== 'apk') continue;
      const parsed = parseArgs(command.invocation.args, APK_OPTIONS);
      const add = parsed.operands[0];
      if (add?.value === 'add') out.push({ info, command, parsed, add });
    }
  }
  return out;
}

export const apkPinVersions: Rule = {
  id: 'BH026',
  hadolint: ['DL3018'],
  name: 'apk-pin-versions',
  defaultSeverity: 'warning',
  description: 'Unpinned apk packages make rebuilds install whatever version is current, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const { parsed } of apkAdds(ctx)) {
      for (const pkg of parsed.operands.slice(1)) {
        // pkg=1.2, pkg~1.2 and pkg>1 constrain the version; a .apk file is an explicit choice.
        if (pkg.expands || /[=~<>]/.test(pkg.value) || pkg.value.endsWith('.apk')) continue;
        findings.push({
          range: pkg.range,
          message: `apk package ${pkg.value} is not pinned, so a rebuild can install a different version; use ${pkg.value}=<version>.`,
        });
      }
    }
    return findings;
  },
};

const APK_CACHE = /^\/(var\/cache\/apk|etc\/apk\/cache)/;

export const apkNoCache: Rule = {
  id: 'BH027',
  hadolint: ['DL3019'],
  name: 'apk-no-cache',
  defaultSeverity: 'info',
  description: 'apk add --no-cache fetches the index without keeping it or the packages in the layer.',
  check(ctx) {
    return (
      apkAdds(ctx)
        .filter((a) => !hasOption(a.parsed, 'no-cache'))
        // A cache mount wants the cache; an `rm -rf /var/cache/apk/*` already cleans up.
        .filter((a) => !uncommittedMounts(a.info.run).some((t) => APK_CACHE.test(t)))
        .filter((a) => !a.info.commands.some((c) => c.invocation.name === 'rm' && c.invocation.args.some((w) => APK_CACHE.test(w.value))))
        .map((a) => ({
          range: span(a.command.invocation.word, a.add),
          message: 'apk add keeps the package index in the layer; add --no-cache (no need for --update or removing /var/cache/apk).',
          fix: { title: 'Add --no-cache', edits: [insertArgumentAfter(a.add, '--no-cache')] },
        }))
    );
  },
};
