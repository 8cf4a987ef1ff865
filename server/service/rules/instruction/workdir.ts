// BH004: a relative WORKDIR resolves against whatever the previous WORKDIR (or the base
// image's) happens to be, so moving an instruction or changing the base image moves it too.
import { ValidationCode } from 'dockerfile-utils';
import type { Rule } from '../rule';
import { documentOf, insert, keywordOf, textOf } from './support';

/** Paths that are absolute, or cannot be judged statically. */
function isAcceptable(path: string): boolean {
  return (
    path.startsWith('/') ||
    path.startsWith('$') || // `$HOME/app`: absolute once expanded, presumably
    /^[A-Za-z]:/.test(path) || // Windows drive: `C:\app`, `c:/app`
    path.startsWith('\\') // Windows rooted path
  );
}

export const relativeWorkdir: Rule = {
  id: 'BH004',
  hadolint: ['DL3000'],
  name: 'relative-workdir',
  defaultSeverity: 'warning',
  description: 'A relative WORKDIR depends on the previous WORKDIR, which makes the resulting path easy to get wrong.',
  overlaps: [ValidationCode.WORKDIR_IS_NOT_ABSOLUTE],
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    return ctx.dockerfile.getInstructions().flatMap((instruction) => {
      if (keywordOf(instruction) !== 'WORKDIR') return [];
      const range = instruction.getArgumentsRange();
      if (!range) return [];
      const written = textOf(document, range);
      const quote = /^["']/.test(written) ? 1 : 0;
      const path = written.slice(quote, quote && written.endsWith(written[0]) ? -1 : undefined);
      if (path === '' || isAcceptable(path)) return [];
      const start = { line: range.start.line, character: range.start.character + quote };
      return [
        {
          range,
          message: `WORKDIR ${path} is relative to the previous WORKDIR, which is easy to get wrong; use an absolute path such as /${path}.`,
          fix: { title: `Make the path absolute (/${path})`, edits: [insert(start, '/')] },
        },
      ];
    });
  },
};
