// Shared plumbing for the instruction rules: build stages, the part of an instruction that is
// not here-document data, JSON (exec) form, text positions and edits. Pure functions only.
import { JSONInstruction, ModifiableInstruction, type Argument, type Dockerfile, type Flag, type From, type Instruction } from 'dockerfile-ast';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range, TextEdit } from 'vscode-languageserver-types';
import { heredocsOf } from '../../heredocs';

/** One build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  readonly index: number;
  readonly from: From;
  /** The stage name as written (`AS Name`), or null for an unnamed stage. */
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** The build stages in document order. Instructions before the first FROM belong to none. */
export function stagesOf(dockerfile: Dockerfile): Stage[] {
  const stages: { index: number; from: From; name: string | null; instructions: Instruction[] }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (keywordOf(instruction) === 'FROM') {
      const from = instruction as From;
      stages.push({ index: stages.length, from, name: from.getBuildStage(), instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage an earlier FROM name refers to (stage names are case-insensitive), if any. */
export function findStage(stages: readonly Stage[], name: string, before: number): Stage | undefined {
  const wanted = name.toLowerCase();
  for (let i = before - 1; i >= 0; i--) if (stages[i].name?.toLowerCase() === wanted) return stages[i];
  return undefined;
}

/** The instruction keyword in upper case (dockerfile-ast already upper-cases it). */
export function keywordOf(instruction: Instruction): string {
  return instruction.getKeyword().toUpperCase();
}

/** The `--name=value` flags of instructions that take them (FROM, COPY, ADD, RUN...). */
export function flagsOf(instruction: Instruction): Flag[] {
  return instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
}

/** `replacement` (given in upper case) written in the casing style of `original`. */
export function matchCase(original: string, replacement: string): string {
  if (original === original.toLowerCase()) return replacement.toLowerCase();
  if (original === original.toUpperCase()) return replacement.toUpperCase();
  return replacement.charAt(0).toUpperCase() + replacement.slice(1).toLowerCase();
}

const documents = new WeakMap<Dockerfile, TextDocument>();

/** A TextDocument over the content, for offset/position arithmetic (cached per parse). */
export function documentOf(dockerfile: Dockerfile, content: string): TextDocument {
  let document = documents.get(dockerfile);
  if (!document || document.getText() !== content) {
    document = TextDocument.create('file:///Dockerfile', 'dockerfile', 0, content);
    documents.set(dockerfile, document);
  }
  return document;
}

export function textOf(document: TextDocument, range: Range): string {
  return document.getText(range);
}

export function lineText(document: TextDocument, line: number): string {
  const text = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return text.replace(/\r?\n$|\r$/, '');
}

/**
 * The last line of an instruction's header, i.e. before any here-document body. dockerfile-ast
 * reports heredoc bodies (and their delimiters) as ordinary arguments, so every rule that
 * reads arguments must stop here.
 */
export function headerLastLine(instruction: Instruction, document: TextDocument, escapeChar: string): number {
  const heredocs = heredocsOf(instruction);
  const end = instruction.getRange().end.line;
  if (heredocs.length === 0) return end;
  let line = Math.max(...heredocs.map((h) => h.getNameRange().start.line));
  // The header may continue past the marker with escaped newlines.
  while (line < end && lineText(document, line).trimEnd().endsWith(escapeChar)) line++;
  return line;
}

/** The instruction's arguments (flags excluded) that are not inside a here-document body. */
export function headerArguments(instruction: Instruction, document: TextDocument, escapeChar: string): Argument[] {
  const last = headerLastLine(instruction, document, escapeChar);
  return instruction.getArguments().filter((argument) => argument.getRange().start.line <= last);
}

/** Whether an argument opens a here-document (`<<EOF`, `<<-"EOF"`). */
export function isHeredocMarker(value: string): boolean {
  return /^<<-?(["']?)[A-Za-z0-9_]+\1/.test(value);
}

/** One element of a JSON-form argument list, with the range of its quoted text. */
export interface JsonElement {
  readonly value: string;
  readonly range: Range;
}

/**
 * The elements of a well-formed JSON (exec) form argument list, or null for shell form.
 * Values come from JSON.parse of the raw text: dockerfile-ast's own JSON values drop spaces.
 */
export function jsonForm(instruction: Instruction, document: TextDocument): JsonElement[] | null {
  if (!(instruction instanceof JSONInstruction)) return null;
  if (!instruction.getOpeningBracket() || !instruction.getClosingBracket()) return null;
  const elements: JsonElement[] = [];
  for (const string of instruction.getJSONStrings()) {
    const range = string.getRange();
    let value: unknown;
    try {
      value = JSON.parse(textOf(document, range));
    } catch {
      return null;
    }
    if (typeof value !== 'string') return null;
    elements.push({ value, range });
  }
  return elements;
}

/** The whole lines an instruction occupies, including its line break, for deleting it. */
export function wholeLinesRange(instruction: Instruction, document: TextDocument): Range {
  const range = instruction.getRange();
  if (range.end.line + 1 < document.lineCount) {
    return { start: { line: range.start.line, character: 0 }, end: { line: range.end.line + 1, character: 0 } };
  }
  // Last line of the file: take the preceding line break instead of a following one.
  const end = document.positionAt(document.getText().length);
  if (range.start.line === 0) return { start: { line: 0, character: 0 }, end };
  const previous = lineText(document, range.start.line - 1);
  return { start: { line: range.start.line - 1, character: previous.length }, end };
}

export function replace(range: Range, newText: string): TextEdit {
  return { range, newText };
}

export function insert(position: Position, newText: string): TextEdit {
  return { range: { start: position, end: position }, newText };
}

/** A sub-range of a single-line range, by character offsets within it. */
export function subRange(range: Range, startOffset: number, endOffset: number): Range {
  const { line, character } = range.start;
  return { start: { line, character: character + startOffset }, end: { line, character: character + endOffset } };
}

/** Removes one pair of matching surrounding quotes. */
export function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}

/** Optimal-string-alignment distance: a swapped pair of letters counts as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** A shell-like word of an instruction's arguments, with its range. */
export interface Word {
  readonly text: string;
  readonly range: Range;
}

/**
 * Splits the text in `range` into words the way the builder does for ARG/ENV/LABEL: on
 * whitespace outside quotes, with escaped characters and line continuations honoured and
 * comment lines inside continuations dropped. dockerfile-ast splits on all whitespace.
 */
export function splitWords(document: TextDocument, range: Range, escapeChar: string): Word[] {
  const text = document.getText();
  const end = document.offsetAt(range.end);
  const words: Word[] = [];
  let start = -1;
  let quote: string | null = null;
  const close = (at: number) => {
    if (start >= 0) words.push({ text: text.slice(start, at), range: { start: document.positionAt(start), end: document.positionAt(at) } });
    start = -1;
  };
  for (let i = document.offsetAt(range.start); i < end; i++) {
    const c = text[i];
    if (c === escapeChar && quote !== "'" && i + 1 < end) {
      if (/[\r\n]/.test(text[i + 1])) {
        close(i);
        i = skipCommentLines(text, i + (text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2), end) - 1;
      } else {
        if (start < 0) start = i;
        i++;
      }
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
    } else if (/\s/.test(c)) {
      close(i);
    } else {
      if (start < 0) start = i;
      if (c === '"' || c === "'") quote = c;
    }
  }
  close(end);
  return words;
}

/** The offset after any whole comment lines starting at `from` (inside a continuation). */
function skipCommentLines(text: string, from: number, end: number): number {
  let i = from;
  for (;;) {
    const indent = /[ \t]*/y;
    indent.lastIndex = i;
    indent.exec(text);
    if (text[indent.lastIndex] !== '#') return i;
    const newline = text.slice(indent.lastIndex, end).search(/\r?\n|\r/);
    if (newline < 0) return end;
    i = indent.lastIndex + newline + (text.startsWith('\r\n', indent.lastIndex + newline) ? 2 : 1);
  }
}
