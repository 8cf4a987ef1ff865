// BH015: with several sources the destination is necessarily a directory, and the builder
// rejects it unless it ends with '/'. The slash also tells the reader what is meant.
import type { Position, Range } from 'vscode-languageserver-types';
import type { Rule } from '../rule';
import { documentOf, headerArguments, insert, jsonForm, keywordOf } from './support';

interface Destination {
  /** The destination as the builder sees it (quotes removed). */
  readonly path: string;
  readonly range: Range;
  /** Where a trailing '/' goes: before a closing quote, if any. */
  readonly end: Position;
  readonly sources: number;
}

export const copyMultipleSourcesDestination: Rule = {
  id: 'BH015',
  hadolint: ['DL3021'],
  name: 'copy-destination-not-directory',
  defaultSeverity: 'error',
  description: 'COPY/ADD with more than one source needs a directory destination ending in /.',
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    return ctx.dockerfile.getInstructions().flatMap((instruction) => {
      const keyword = keywordOf(instruction);
      if (keyword !== 'COPY' && keyword !== 'ADD') return [];
      let destination: Destination;
      const json = jsonForm(instruction, document);
      if (json) {
        const last = json[json.length - 1];
        if (!last) return [];
        const end = { line: last.range.end.line, character: last.range.end.character - 1 };
        destination = { path: last.value, range: last.range, end, sources: json.length - 1 };
      } else {
        const args = headerArguments(instruction, document, escapeChar);
        const last = args[args.length - 1];
        if (!last) return [];
        const written = last.getValue();
        const quoted = /^(["']).*\1$/.test(written) && written.length >= 2;
        const end = last.getRange().end;
        destination = {
          path: quoted ? written.slice(1, -1) : written,
          range: last.getRange(),
          end: quoted ? { line: end.line, character: end.character - 1 } : end,
          sources: args.length - 1,
        };
      }
      const { path, range, end, sources } = destination;
      if (sources < 2 || path.endsWith('/') || path.includes('$')) return [];
      // Windows Dockerfiles (escape=`) may write directories with backslashes.
      const windows = escapeChar !== '\\' && path.includes('\\') && !path.includes('/');
      if (windows && path.endsWith('\\')) return [];
      const slash = windows ? '\\' : '/';
      return [
        {
          range,
          message: `${keyword} has ${sources} sources, so the destination must be a directory ending in '${slash}'; write ${path}${slash}.`,
          fix: { title: `Add a trailing '${slash}' (${path}${slash})`, edits: [insert(end, slash)] },
        },
      ];
    });
  },
};
