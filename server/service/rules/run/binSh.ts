// ln /bin/sh rule (hadolint DL4005).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';
import { parseArgs } from './command';

export const linkBinSh: Rule = {
  id: 'BH038',
  hadolint: ['DL4005'],
  name: 'use-shell-instruction',
  defaultSeverity: 'warning',
  description: 'SHELL changes the shell for RUN explicitly; replacing /bin/sh changes it for everything in the image, silently.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { invocation } of info.commands) {
        if (invocation.name !== 'ln') continue;
        // The link name is the last operand: `ln -sf /bin/bash /bin/sh`.
        const { operands } = parseArgs(invocation.args, { shortValue: 'St', longValue: ['suffix', 'target-directory'] });
        const link = operands[operands.length - 1];
        if (operands.length < 2 || link.value !== '/bin/sh') continue;
        findings.push({
          range: link.range,
          message: 'Replacing /bin/sh changes the shell behind every later RUN without saying so; use the SHELL instruction instead.',
        });
      }
    }
    return findings;
  },
};
