// sudo rule (hadolint DL3004).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';

export const sudoInRun: Rule = {
  id: 'BH029',
  hadolint: ['DL3004'],
  name: 'no-sudo',
  defaultSeverity: 'warning',
  description: 'Build steps already run as the USER in effect; sudo adds a dependency, a TTY/password prompt risk and unclear privileges.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { invocation } of info.commands) {
        const { sudo, sudoHasOptions, afterSudo } = invocation;
        if (!sudo) continue;
        // Plain `sudo cmd` can become `cmd`; with options (-u user...) the intent needs a human.
        const sameLine = afterSudo && afterSudo.range.start.line === sudo.range.end.line;
        const fix =
          sudoHasOptions || !afterSudo
            ? undefined
            : { title: 'Remove sudo', edits: [{ range: { start: sudo.range.start, end: sameLine ? afterSudo.range.start : sudo.range.end }, newText: '' }] };
        findings.push({
          range: sudo.range,
          message: 'Do not use sudo in RUN: build steps run as the current USER (root unless changed); switch with USER, or use gosu/su-exec at run time.',
          ...(fix ? { fix } : {}),
        });
      }
    }
    return findings;
  },
};
