// BH014: MAINTAINER is deprecated; a `maintainer` label carries the same information in the
// place tools look for it (image labels, `docker inspect`).
import { ValidationCode } from 'dockerfile-utils';
import type { Rule } from '../rule';
import { documentOf, keywordOf, matchCase, replace, textOf } from './support';

/** `value` as a double-quoted Dockerfile word that expands to exactly `value`. */
export function doubleQuoted(value: string, escapeChar: string): string {
  let out = '';
  for (const c of value) out += c === '"' || c === '$' || c === escapeChar ? escapeChar + c : c;
  return `"${out}"`;
}

export const deprecatedMaintainer: Rule = {
  id: 'BH014',
  hadolint: ['DL4000'],
  name: 'deprecated-maintainer',
  defaultSeverity: 'warning',
  description: 'MAINTAINER is deprecated; the maintainer label is where tools look for the image author.',
  overlaps: [ValidationCode.DEPRECATED_MAINTAINER],
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    return ctx.dockerfile.getInstructions().flatMap((instruction) => {
      if (keywordOf(instruction) !== 'MAINTAINER') return [];
      const args = instruction.getArgumentsRange();
      const message = 'MAINTAINER is deprecated; record the author with LABEL maintainer="..." instead, which tools such as docker inspect show.';
      if (!args) return [{ range: instruction.getInstructionRange(), message }];
      // MAINTAINER takes the rest of the line verbatim (continuations joined); LABEL expands
      // variables and quotes, so the value is re-quoted to keep it byte-for-byte.
      const continuation = new RegExp(`${escapeChar.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\r?\\n`, 'g');
      const value = textOf(document, args).replace(continuation, '').trim();
      const label = `${matchCase(instruction.getInstruction(), 'LABEL')} maintainer=${doubleQuoted(value, escapeChar)}`;
      const whole = { start: instruction.getRange().start, end: args.end };
      return [
        {
          range: instruction.getInstructionRange(),
          message,
          fix: { title: `Replace with ${label}`, edits: [replace(whole, label)] },
        },
      ];
    });
  },
};
