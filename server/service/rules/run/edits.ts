// Edit builders shared by the RUN rules' fixes. Each knows the two syntaxes a word can live in:
// shell text (add ` -y`) and an exec-form JSON element (add `, "-y"`).
import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { ShellSegment, ShellWord } from '../../shell';
import type { Analysis } from './analysis';

/** The range from the start of one word to the end of another (e.g. `apt-get -q install`). */
export function span(from: ShellWord, to: ShellWord): Range {
  return { start: from.range.start, end: to.range.end };
}

/** Adds an argument right after `word`. */
export function insertArgumentAfter(word: ShellWord, arg: string): TextEdit {
  return {
    range: { start: word.range.end, end: word.range.end },
    newText: word.argv ? `, ${JSON.stringify(arg)}` : ` ${arg}`,
  };
}

/**
 * Appends a command so it runs after the rest of the script of `segment`: `&& cmd` after
 * the last word of a command line (before any trailing comment, on whichever continuation
 * line that is), or a new line before the terminator of a heredoc script.
 * Null for exec-form argv, which has no shell to chain commands.
 */
export function appendCommand(analysis: Analysis, segment: ShellSegment, command: string): TextEdit | null {
  const { index } = analysis;
  if (segment.kind === 'heredoc' && segment.heredoc) {
    const delimiter = segment.heredoc.getDelimiterRange();
    const commands = segment.script.commands;
    if (!delimiter || commands.length === 0) return null;
    // Indent like the last command of the body.
    const lastLine = commands[commands.length - 1].words[0]?.range.start.line ?? delimiter.start.line;
    const lineStart = index.offsetAt({ line: lastLine, character: 0 });
    const indent = /^[ \t]*/.exec(index.text.slice(lineStart))?.[0] ?? '';
    const at = { line: delimiter.start.line, character: 0 };
    return { range: { start: at, end: at }, newText: `${indent}${command}${analysis.eol}` };
  }
  if (segment.kind === 'argv' || segment.script.end === null) return null;
  const at = index.positionAt(segment.script.end);
  return { range: { start: at, end: at }, newText: ` && ${command}` };
}

/** Leading blanks of a document line. */
export function indentationOf(analysis: Analysis, line: number): string {
  const start = analysis.index.offsetAt({ line, character: 0 });
  return /^[ \t]*/.exec(analysis.index.text.slice(start))?.[0] ?? '';
}
