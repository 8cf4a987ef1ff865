// Formatting on top of dockerfile-utils' formatter, with two promises it does not make:
// a heredoc body is never changed, and the indentation users gave continuation lines is kept
// unless they ask for it to be normalised (continuationIndent: 'normalize').
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { format, formatOnType, formatRange } from 'dockerfile-utils';
import type { FormattingOptions, Position, Range, TextEdit } from 'vscode-languageserver-types';
import { heredocBodyLines } from './heredocs';
import type { BerthSettings } from './settings';

type FormatterSettings = BerthSettings['formatter'];

/** Lines that continue an instruction begun on an earlier line. */
function continuationLines(dockerfile: Dockerfile): Set<number> {
  const lines = new Set<number>();
  for (const instruction of dockerfile.getInstructions()) {
    const { start, end } = instruction.getRange();
    for (let line = start.line + 1; line <= end.line; line++) lines.add(line);
  }
  return lines;
}

function touchedLines(edit: TextEdit): number[] {
  const out: number[] = [];
  for (let line = edit.range.start.line; line <= edit.range.end.line; line++) out.push(line);
  return out;
}

/**
 * Drops the edits berth does not allow. `keepInsertions` lets an edit that only adds
 * indentation where there was none through (on-type formatting of a fresh continuation line).
 */
function filterEdits(content: string, edits: TextEdit[], settings: FormatterSettings, keepInsertions: boolean): TextEdit[] {
  if (edits.length === 0) return edits;
  const dockerfile = DockerfileParser.parse(content);
  const heredoc = heredocBodyLines(dockerfile);
  const continuation = settings.continuationIndent === 'preserve' ? continuationLines(dockerfile) : new Set<number>();
  return edits.filter((edit) => {
    const lines = touchedLines(edit);
    if (lines.some((line) => heredoc.has(line))) return false;
    if (lines.some((line) => continuation.has(line))) {
      const isInsertion =
        edit.range.start.line === edit.range.end.line && edit.range.start.character === edit.range.end.character;
      return keepInsertions && isInsertion;
    }
    return true;
  });
}

function options(base: FormattingOptions, settings: FormatterSettings) {
  return { ...base, ignoreMultilineInstructions: settings.ignoreMultilineInstructions };
}

export function formatDocument(content: string, opts: FormattingOptions, settings: FormatterSettings): TextEdit[] {
  return filterEdits(content, format(content, options(opts, settings)), settings, false);
}

export function formatDocumentRange(content: string, range: Range, opts: FormattingOptions, settings: FormatterSettings): TextEdit[] {
  return filterEdits(content, formatRange(content, range, options(opts, settings)), settings, false);
}

export function formatDocumentOnType(
  content: string,
  position: Position,
  ch: string,
  opts: FormattingOptions,
  settings: FormatterSettings,
): TextEdit[] {
  return filterEdits(content, formatOnType(content, position, ch, options(opts, settings)), settings, true);
}
