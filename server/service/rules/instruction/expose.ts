// BH013: a port outside 0-65535 cannot exist; the build (or `docker run -P`) fails on it.
import { ValidationCode } from 'dockerfile-utils';
import type { Finding, Rule } from '../rule';
import { keywordOf, subRange } from './support';

/** `80`, `8000-9000`, `53/udp`, `8000-8010/tcp`; anything else is a format problem, not ours. */
const PORT_SPEC = /^(\d+)(?:-(\d+))?(?:\/[A-Za-z]+)?$/;

export const invalidExposePort: Rule = {
  id: 'BH013',
  hadolint: ['DL3011'],
  name: 'invalid-expose-port',
  defaultSeverity: 'error',
  description: 'TCP and UDP ports range from 0 to 65535; anything else cannot be exposed.',
  overlaps: [ValidationCode.INVALID_PORT],
  check(ctx) {
    const findings: Finding[] = [];
    for (const instruction of ctx.dockerfile.getInstructions()) {
      if (keywordOf(instruction) !== 'EXPOSE') continue;
      for (const argument of instruction.getArguments()) {
        const match = PORT_SPEC.exec(argument.getValue());
        if (!match) continue; // variables and malformed specs
        const [, low, high] = match;
        const ports = [{ text: low, offset: 0 }];
        if (high !== undefined) ports.push({ text: high, offset: low.length + 1 });
        for (const port of ports) {
          if (Number(port.text) <= 65535) continue;
          findings.push({
            range: subRange(argument.getRange(), port.offset, port.offset + port.text.length),
            message: `Port ${port.text} is outside the valid range 0-65535; use a port number in that range.`,
          });
        }
      }
    }
    return findings;
  },
};
