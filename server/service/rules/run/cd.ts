// cd rule (hadolint DL3003).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';
import { span } from './edits';

export const cdInRun: Rule = {
  id: 'BH028',
  hadolint: ['DL3003'],
  name: 'use-workdir',
  defaultSeverity: 'warning',
  description: 'WORKDIR makes the working directory explicit and applies it to every later instruction.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      // One finding per RUN, on its first cd: the advice is about the RUN, not each cd.
      const cd = info.commands.find((c) => c.invocation.name === 'cd');
      if (!cd) continue;
      const { word, args } = cd.invocation;
      findings.push({
        range: args.length > 0 ? span(word, args[0]) : word.range,
        message: 'Use WORKDIR to switch to a directory: cd only lasts until the end of this RUN, and WORKDIR makes the directory explicit for later instructions.',
      });
    }
    return findings;
  },
};
