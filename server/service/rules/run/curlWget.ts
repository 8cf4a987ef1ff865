// curl and wget rule (hadolint DL4001).
import type { Finding, Rule } from '../rule';
import { analyse } from './analysis';

export const curlAndWget: Rule = {
  id: 'BH036',
  hadolint: ['DL4001'],
  name: 'curl-or-wget',
  defaultSeverity: 'warning',
  description: 'Using both curl and wget means installing and maintaining two tools that do the same job.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const stage of analyse(ctx).stages) {
      // The tool used first is the stage's choice; every use of the other one is reported.
      let first: { name: string; line: number } | null = null;
      for (const info of stage.runs) {
        for (const { invocation } of info.commands) {
          const { name, word } = invocation;
          if (name !== 'curl' && name !== 'wget') continue;
          if (!first) first = { name, line: word.range.start.line };
          else if (name !== first.name) {
            findings.push({
              range: word.range,
              message: `This stage already uses ${first.name} (line ${first.line + 1}); use either curl or wget, not both.`,
            });
          }
        }
      }
    }
    return findings;
  },
};
