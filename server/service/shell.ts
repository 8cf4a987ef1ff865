// A small shell tokenizer for RUN instructions. It does not try to be a shell parser: it
// recognises just enough (quotes, escapes, `$(...)`, backticks, operators, redirections,
// heredocs) to split a RUN body into simple commands whose words keep their exact place in
// the document, so rules can point at, and edit, the offending word.
//
// The text is first turned into a MappedText: the characters the shell will actually see,
// each remembering the document offsets it came from. That is where Dockerfile-level
// syntax is undone (line continuations, comment lines inside a continued instruction,
// JSON string escapes of exec form) so the tokenizer itself only deals with shell syntax.
import type { Heredoc, Instruction, Run } from 'dockerfile-ast';
import type { Position, Range } from 'vscode-languageserver-types';

/** Offset <-> position conversion for one document, with the same line breaks as LSP. */
export class TextIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    // `\r\n`, `\r` and `\n` each end a line; a regex finds them without a loop per character.
    const lineBreak = /\r\n?|\n/g;
    while (lineBreak.exec(text) !== null) this.lineStarts.push(lineBreak.lastIndex);
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo] };
  }

  offsetAt(position: Position): number {
    const start = this.lineStarts[Math.min(position.line, this.lineStarts.length - 1)];
    return Math.min(start + position.character, this.text.length);
  }

  range(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}

/**
 * Text as the shell sees it; `startOf(i)`..`endOf(i)` is the document span `text[i]` came from.
 * The tokenizer asks only at word and operator boundaries; `starts`/`ends` give the whole
 * mapping as arrays (built on first use).
 */
export interface MappedText {
  readonly text: string;
  startOf(i: number): number;
  endOf(i: number): number;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/**
 * Text made of verbatim pieces of the document (a logical line, a heredoc body). Each of its
 * characters is one document character, so only where each piece starts is recorded: a RUN of
 * a few kilobytes costs a handful of numbers instead of two per character.
 */
class PieceMappedText implements MappedText {
  text = '';
  /** Piece k starts at `textStarts[k]` in the text and at `docStarts[k]` in the document. */
  private readonly textStarts: number[] = [];
  private readonly docStarts: number[] = [];
  private lastPiece = 0;
  private arrays: { starts: number[]; ends: number[] } | null = null;

  /** Appends the document characters `from`..`to` (nothing when the span is empty). */
  add(content: string, from: number, to: number): void {
    if (to <= from) return;
    this.textStarts.push(this.text.length);
    this.docStarts.push(from);
    this.text += content.slice(from, to);
  }

  startOf(i: number): number {
    // The last piece starting at or before i. The tokenizer asks in increasing order, so try
    // the piece of the previous answer first.
    const k = this.lastPiece;
    if (this.textStarts[k] <= i && (k + 1 >= this.textStarts.length || i < this.textStarts[k + 1])) {
      return this.docStarts[k] + (i - this.textStarts[k]);
    }
    let lo = 0;
    let hi = this.textStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.textStarts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    this.lastPiece = lo;
    return this.docStarts[lo] + (i - this.textStarts[lo]);
  }

  endOf(i: number): number {
    return this.startOf(i) + 1;
  }

  get starts(): readonly number[] {
    return this.materialise().starts;
  }

  get ends(): readonly number[] {
    return this.materialise().ends;
  }

  private materialise(): { starts: number[]; ends: number[] } {
    if (!this.arrays) {
      const starts: number[] = [];
      const ends: number[] = [];
      for (let i = 0; i < this.text.length; i++) {
        const start = this.startOf(i);
        starts.push(start);
        ends.push(start + 1);
      }
      this.arrays = { starts, ends };
    }
    return this.arrays;
  }
}

/** Text built character by character with an explicit source span each (decoded JSON strings). */
class CharMappedText implements MappedText {
  text = '';
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  push(ch: string, start: number, end: number): void {
    this.text += ch;
    this.starts.push(start);
    this.ends.push(end);
  }
  startOf(i: number): number {
    return this.starts[i];
  }
  endOf(i: number): number {
    return this.ends[i];
  }
}

/** A document span mapped one to one (heredoc bodies: Docker passes them through verbatim). */
export function mapSpan(content: string, start: number, end: number): MappedText {
  const mapped = new PieceMappedText();
  mapped.add(content, start, end);
  return mapped;
}

// The escape character at the end of a line (blanks may follow it): the line continues.
const CONTINUATION_BACKSLASH = /\\[ \t]*$/;
const CONTINUATION_BACKTICK = /`[ \t]*$/;
const BLANK_OR_COMMENT_LINE = /^[ \t]*(#|$)/;

/**
 * The logical line Docker builds from `start`: a line ending in the escape character (plus
 * optional blanks) continues on the next one, the escape and line break are removed and the
 * pieces are concatenated as they are. Inside a continuation, comment lines and blank lines
 * are dropped entirely (they never reach the shell). Stops at `limit`.
 */
export function mapLogicalLine(content: string, start: number, limit: number, escapeChar: string): MappedText {
  const mapped = new PieceMappedText();
  const continuation = escapeChar === '`' ? CONTINUATION_BACKTICK : CONTINUATION_BACKSLASH;
  let pos = start;
  let first = true;
  while (pos < limit) {
    let lineEnd = content.indexOf('\n', pos);
    if (lineEnd < 0 || lineEnd > limit) lineEnd = limit;
    let contentEnd = lineEnd;
    if (content[contentEnd - 1] === '\r') contentEnd--;
    const line = content.slice(pos, contentEnd);
    if (!first && BLANK_OR_COMMENT_LINE.test(line)) {
      pos = lineEnd + 1;
      continue;
    }
    first = false;
    const m = continuation.exec(line);
    if (!m) {
      mapped.add(content, pos, contentEnd);
      break;
    }
    mapped.add(content, pos, contentEnd - m[0].length);
    pos = lineEnd + 1;
  }
  return mapped;
}

/** A JSON string element of an exec-form instruction: its decoded value mapped to the document. */
export interface JsonElement {
  readonly value: MappedText;
  /** Document offsets of the element including its quotes. */
  readonly start: number;
  readonly end: number;
}

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parses `["a", "b"]` the way Docker decides exec form: a JSON array of strings, or null. */
export function parseJsonArray(src: MappedText): JsonElement[] | null {
  const t = src.text;
  let i = 0;
  const blank = (): void => {
    while (i < t.length && /\s/.test(t[i])) i++;
  };
  blank();
  if (t[i] !== '[') return null;
  i++;
  blank();
  const elements: JsonElement[] = [];
  if (t[i] === ']') {
    i++;
    blank();
    return i === t.length ? elements : null;
  }
  for (;;) {
    blank();
    if (t[i] !== '"') return null;
    const open = i++;
    const b = new CharMappedText();
    while (i < t.length && t[i] !== '"') {
      if (t[i] === '\\') {
        const e = t[i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
          b.push(String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16)), src.startOf(i), src.endOf(i + 5));
          i += 6;
        } else if (e !== undefined && e in JSON_ESCAPES) {
          b.push(JSON_ESCAPES[e], src.startOf(i), src.endOf(i + 1));
          i += 2;
        } else return null;
      } else if (t.charCodeAt(i) < 0x20) {
        return null;
      } else {
        b.push(t[i], src.startOf(i), src.endOf(i));
        i++;
      }
    }
    if (i >= t.length) return null;
    elements.push({ value: b, start: src.startOf(open), end: src.endOf(i) });
    i++;
    blank();
    if (t[i] === ',') {
      i++;
      continue;
    }
    if (t[i] !== ']') return null;
    i++;
    blank();
    return i === t.length ? elements : null;
  }
}

// ---------------------------------------------------------------------------------------
// Tokenizer

export type Separator = '&&' | '||' | ';' | ';;' | '|' | '|&' | '&' | '\n' | '(' | ')';

export interface ShellWord {
  /** The word after quote removal; expansions (`$x`, `$(..)`, backticks) are kept verbatim. */
  readonly value: string;
  /** Document offsets of the whole word (for exec-form elements: including the quotes). */
  readonly start: number;
  readonly end: number;
  readonly range: Range;
  /** The value depends on an expansion, so its run-time text is unknown. */
  readonly expands: boolean;
  /** Some part of the word was quoted or escaped. */
  readonly quoted: boolean;
  /** An element of an exec-form JSON array (edits must keep the JSON valid). */
  readonly argv: boolean;
}

export interface Redirect {
  /** `>`, `>>`, `<`, `2>&`... or `<<` / `<<-` for a heredoc. */
  readonly op: string;
  readonly fd: string | null;
  readonly target: ShellWord | null;
}

export interface SimpleCommand {
  readonly words: readonly ShellWord[];
  readonly redirects: readonly Redirect[];
  /** The operator joining this command to the next one (null at the end of the script). */
  readonly next: Separator | null;
  readonly nextRange: Range | null;
}

export interface ShellScript {
  readonly commands: readonly SimpleCommand[];
  /**
   * Document offset just after the last word or `)` of the script, ignoring trailing comments
   * and separators: where `&& more` can be appended. Null when the script is empty.
   */
  readonly end: number | null;
}

// Words and commands keep document offsets and turn them into a line/character Range only
// when a rule asks (most words are never reported); the Range is then kept, so every caller
// gets the same object.

class Word implements ShellWord {
  readonly #index: TextIndex;
  #range: Range | null = null;

  constructor(
    readonly value: string,
    readonly start: number,
    readonly end: number,
    readonly expands: boolean,
    readonly quoted: boolean,
    readonly argv: boolean,
    index: TextIndex,
  ) {
    this.#index = index;
  }

  get range(): Range {
    return (this.#range ??= this.#index.range(this.start, this.end));
  }
}

class Command implements SimpleCommand {
  readonly #index: TextIndex;
  /** Document offsets of the `next` operator. */
  readonly #nextStart: number;
  readonly #nextEnd: number;
  #nextRange: Range | null = null;

  constructor(
    readonly words: readonly ShellWord[],
    readonly redirects: readonly Redirect[],
    readonly next: Separator | null,
    nextStart: number,
    nextEnd: number,
    index: TextIndex,
  ) {
    this.#index = index;
    this.#nextStart = nextStart;
    this.#nextEnd = nextEnd;
  }

  get nextRange(): Range | null {
    if (this.next === null) return null;
    return (this.#nextRange ??= this.#index.range(this.#nextStart, this.#nextEnd));
  }
}

// All regexes below are sticky (`y`): set lastIndex to where to look, and they match there or not at all.
const REDIRECT = /(\d*)(<<<|<<-|<<|<>|<&|>&|>>|>\||&>>|&>|<|>)/y;
// Longest first, like the shell reads them.
const OPERATOR = /&&|\|\||;;|\|&|[;|&()]/y;
// A run of characters with no special meaning inside a word: not a blank, a quote, `\`, `$`,
// a backquote, or a character that ends the word (`;&|<>()`). Copied in one go.
const PLAIN = /[^\s'"\\$`;&|<>()]+/y;
// The same inside double quotes, where only `"`, `\`, `$` and the backquote are special.
const PLAIN_IN_DOUBLE_QUOTES = /[^"\\$`]+/y;
// `$name`: a variable name after the `$`.
const VARIABLE_NAME = /[A-Za-z_]\w*/y;

/**
 * Splits shell text into simple commands. Heredocs opened by the text are recorded as
 * redirections; their bodies are skipped when they follow in the same text.
 */
export function tokenizeShell(src: MappedText, index: TextIndex): ShellScript {
  const t = src.text;
  const n = t.length;
  const commands: SimpleCommand[] = [];
  let words: ShellWord[] = [];
  let redirects: Redirect[] = [];
  let end: number | null = null;
  // Heredocs opened on the current line; their bodies start after the next newline and are
  // data for the command, not script, so they are skipped (nested heredocs in a RUN heredoc).
  let pending: { delimiter: string; stripTabs: boolean }[] = [];

  // Ends the current simple command; `from`..`to` is the operator that ends it.
  const finish = (sep: Separator | null, from = 0, to = 0): void => {
    if (words.length === 0 && redirects.length === 0) return;
    const nextStart = sep ? src.startOf(from) : 0;
    const nextEnd = sep ? src.endOf(to - 1) : 0;
    commands.push(new Command(words, redirects, sep, nextStart, nextEnd, index));
    words = [];
    redirects = [];
  };

  // Skips a balanced `$(...)` / `${...}` starting after the opener, honouring quotes.
  const skipGroup = (i: number, open: string, close: string): number => {
    let depth = 1;
    while (i < n) {
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === "'") {
        const quote = t.indexOf("'", i + 1);
        i = quote < 0 ? n : quote + 1;
      } else if (c === '"') i = skipDouble(i + 1).next;
      else if (c === '`') i = skipBacktick(i + 1);
      else {
        if (c === open) depth++;
        else if (c === close && --depth === 0) return i + 1;
        i++;
      }
    }
    return n;
  };
  const skipBacktick = (i: number): number => {
    while (i < n && t[i] !== '`') i += t[i] === '\\' ? 2 : 1;
    return Math.min(i + 1, n);
  };
  // Reads a `$...` expansion at i; returns where it ends, or null when `$` is literal.
  const skipDollar = (i: number): number | null => {
    const c = t[i + 1];
    if (c === '(') return skipGroup(i + 2, '(', ')');
    if (c === '{') return skipGroup(i + 2, '{', '}');
    VARIABLE_NAME.lastIndex = i + 1;
    if (VARIABLE_NAME.test(t)) return VARIABLE_NAME.lastIndex;
    if (c !== undefined && /[0-9@*#?$!-]/.test(c)) return i + 2;
    return null;
  };
  // Inside double quotes (i is after the opening quote): backslash only escapes $ ` " \ and newline.
  function skipDouble(i: number): { next: number; value: string; expands: boolean } {
    let value = '';
    let expands = false;
    while (i < n && t[i] !== '"') {
      PLAIN_IN_DOUBLE_QUOTES.lastIndex = i;
      if (PLAIN_IN_DOUBLE_QUOTES.test(t)) {
        value += t.slice(i, PLAIN_IN_DOUBLE_QUOTES.lastIndex);
        i = PLAIN_IN_DOUBLE_QUOTES.lastIndex;
        continue;
      }
      // Here t[i] is a backslash, `$` or a backquote.
      const c = t[i];
      if (c === '\\') {
        if (i + 1 < n && '$`"\\\n'.includes(t[i + 1])) {
          if (t[i + 1] !== '\n') value += t[i + 1];
          i += 2;
        } else {
          value += c; // escapes nothing here: literal
          i++;
        }
        continue;
      }
      const expansionEnd = c === '$' ? skipDollar(i) : skipBacktick(i + 1);
      if (expansionEnd === null) {
        value += c; // a `$` that starts no expansion is literal
        i++;
      } else {
        value += t.slice(i, expansionEnd);
        expands = true;
        i = expansionEnd;
      }
    }
    return { next: Math.min(i + 1, n), value, expands };
  }

  // Reads the word starting at i: the word and where it ends, or null when none starts there.
  const readWord = (i: number): { word: Word; next: number } | null => {
    const startIdx = i;
    let value = '';
    let expands = false;
    let quoted = false;
    while (i < n) {
      PLAIN.lastIndex = i;
      if (PLAIN.test(t)) {
        value += t.slice(i, PLAIN.lastIndex);
        i = PLAIN.lastIndex;
        if (i >= n) break;
      }
      const c = t[i];
      if (c === '\\') {
        // Backslash-newline is a line continuation (heredoc scripts, `sh -c` strings).
        if (i + 1 >= n) value += c; // a trailing backslash stays literal
        else if (t[i + 1] !== '\n') {
          value += t[i + 1];
          quoted = true;
        }
        i += 2;
      } else if (c === "'") {
        const j = t.indexOf("'", i + 1);
        value += t.slice(i + 1, j < 0 ? n : j);
        quoted = true;
        i = j < 0 ? n : j + 1;
      } else if (c === '"') {
        const d = skipDouble(i + 1);
        value += d.value;
        expands ||= d.expands;
        quoted = true;
        i = d.next;
      } else if (c === '$' && t[i + 1] === "'") {
        // ANSI-C quoting; the value is approximate (escapes are not interpreted).
        let j = i + 2;
        while (j < n && t[j] !== "'") j += t[j] === '\\' ? 2 : 1;
        value += t.slice(i + 2, Math.min(j, n));
        quoted = true;
        i = Math.min(j + 1, n);
      } else if (c === '$' || c === '`') {
        const j = c === '$' ? skipDollar(i) : skipBacktick(i + 1);
        if (j === null) {
          value += c; // a `$` that starts no expansion is literal
          i++;
        } else {
          value += t.slice(i, j);
          expands = true;
          i = j;
        }
      } else {
        break; // a blank or an operator character ends the word
      }
    }
    if (i === startIdx) return null;
    const last = Math.min(i, n) - 1;
    return { word: new Word(value, src.startOf(startIdx), src.endOf(last), expands, quoted, false, index), next: i };
  };

  let i = 0;
  while (i < n) {
    const c = t[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\\' && t[i + 1] === '\n') {
      i += 2;
    } else if (c === '\n') {
      finish('\n', i, i + 1);
      i++;
      if (pending.length > 0) i = skipHeredocBodies(i);
    } else if (c === '#') {
      // A comment only starts at the beginning of a word, which is where we are.
      const lineEnd = t.indexOf('\n', i);
      i = lineEnd < 0 ? n : lineEnd;
    } else {
      // A redirection starts with its fd (digits), `<`, `>` or `&` (`&>file`).
      let r: RegExpExecArray | null = null;
      if ((c >= '0' && c <= '9') || c === '<' || c === '>' || c === '&') {
        REDIRECT.lastIndex = i;
        r = REDIRECT.exec(t);
      }
      if (r) {
        i = REDIRECT.lastIndex;
        while (i < n && (t[i] === ' ' || t[i] === '\t')) i++;
        const w = readWord(i);
        if (w) {
          i = w.next;
          end = w.word.end;
          if (r[2] === '<<' || r[2] === '<<-') pending.push({ delimiter: w.word.value, stripTabs: r[2] === '<<-' });
        }
        redirects.push({ op: r[2], fd: r[1] || null, target: w ? w.word : null });
        continue;
      }
      if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
        OPERATOR.lastIndex = i;
        const op = (OPERATOR.exec(t) as RegExpExecArray)[0] as Separator;
        finish(op, i, i + op.length);
        if (op === ')') end = src.endOf(i);
        i += op.length;
        continue;
      }
      const w = readWord(i);
      if (!w) {
        i++;
        continue;
      }
      words.push(w.word);
      end = w.word.end;
      i = w.next;
    }
  }
  finish(null);
  return { commands, end };

  function skipHeredocBodies(from: number): number {
    let i = from;
    for (const h of pending) {
      while (i < n) {
        let lineEnd = t.indexOf('\n', i);
        if (lineEnd < 0) lineEnd = n;
        let line = t.slice(i, lineEnd).replace(/\r$/, '');
        if (h.stripTabs) line = line.replace(/^\t+/, '');
        i = lineEnd + 1;
        if (line === h.delimiter) break;
      }
    }
    pending = [];
    return Math.min(i, n);
  }
}

/** Exec-form elements as shell words (one simple command, the argv). */
function argvScript(elements: readonly JsonElement[], index: TextIndex): ShellScript {
  const words: ShellWord[] = elements.map((e) => new Word(e.value.text, e.start, e.end, false, true, true, index));
  return { commands: words.length ? [new Command(words, [], null, 0, 0, index)] : [], end: null };
}

// ---------------------------------------------------------------------------------------
// RUN instructions

export type SegmentKind =
  /** The shell-form command line (the RUN arguments up to the end of the logical line). */
  | 'line'
  /** A heredoc body that is itself shell script (`RUN <<EOF`, `RUN bash <<EOF`). */
  | 'heredoc'
  /** The script string of an exec-form shell: `["sh", "-c", "..."]`. */
  | 'exec-script'
  /** Any other exec form: a plain argv with no shell involved. */
  | 'argv';

export interface ShellSegment {
  readonly kind: SegmentKind;
  readonly script: ShellScript;
  /** For 'heredoc' segments, the here-document the script comes from. */
  readonly heredoc: Heredoc | null;
  /**
   * The script runs in a shell named in the RUN itself (`bash <<EOF`, a `#!/bin/bash` heredoc,
   * `["sh", "-c", ...]`) rather than the stage's SHELL, so SHELL options do not reach it.
   */
  readonly ownShell: boolean;
}

export interface RunScript {
  readonly form: 'shell' | 'exec';
  /** What the shell executes, in document order; heredoc bodies that are data are absent. */
  readonly segments: readonly ShellSegment[];
}

export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The logical line of an instruction's arguments, as Docker hands it on. */
export function argumentsText(instruction: Instruction, index: TextIndex, escapeChar: string): MappedText | null {
  const args = instruction.getArgumentsRange();
  if (!args) return null;
  return mapLogicalLine(index.text, index.offsetAt(args.start), index.offsetAt(instruction.getRange().end), escapeChar);
}

/** The elements of an exec-form (JSON) instruction such as SHELL, or null for shell form. */
export function execArguments(instruction: Instruction, index: TextIndex, escapeChar: string): string[] | null {
  const text = argumentsText(instruction, index, escapeChar);
  const elements = text && parseJsonArray(text);
  return elements ? elements.map((e) => e.value.text) : null;
}

/** Splits a RUN instruction into the shell scripts it runs. */
export function analyseRun(run: Run, index: TextIndex, escapeChar: string): RunScript {
  const line = argumentsText(run, index, escapeChar);
  if (!line) return { form: 'shell', segments: [] };

  const elements = parseJsonArray(line);
  if (elements) {
    // `["sh", "-c", "script"]` runs a script: analyse it. Flags may be combined (`-ec`).
    const argv = elements.map((e) => e.value.text);
    const c = argv.findIndex((a, k) => k > 0 && /^-[A-Za-z]*c[A-Za-z]*$/.test(a));
    const script = c > 0 ? elements.slice(c + 1).find((e) => !e.value.text.startsWith('-')) : undefined;
    if (argv.length > 0 && SHELLS.has(basename(argv[0])) && script) {
      return { form: 'exec', segments: [{ kind: 'exec-script', script: tokenizeShell(script.value, index), heredoc: null, ownShell: true }] };
    }
    return { form: 'exec', segments: [{ kind: 'argv', script: argvScript(elements, index), heredoc: null, ownShell: false }] };
  }

  const lineScript = tokenizeShell(line, index);
  const segments: ShellSegment[] = [{ kind: 'line', script: lineScript, heredoc: null, ownShell: false }];
  // Pair the AST's heredocs with the `<<WORD` redirections we found, in order, to learn
  // which command reads each body. If they disagree, treat every body as data (safe side).
  const owners = lineScript.commands.flatMap((cmd) =>
    cmd.redirects.filter((r) => r.op === '<<' || r.op === '<<-').map((r) => ({ cmd, r })),
  );
  // Without a `<<WORD` there is no body to read as script, whatever the AST says; asking it
  // costs a scan of the whole instruction, so only RUNs that open a heredoc do.
  if (owners.length === 0) return { form: 'shell', segments };
  const heredocs = run.getHeredocs();
  if (owners.length !== heredocs.length) return { form: 'shell', segments };
  heredocs.forEach((h, k) => {
    const content = h.getContentRange();
    // An unterminated heredoc has no delimiter (and dockerfile-ast gives it an odd content range).
    if (!content || !h.getDelimiterRange() || owners[k].r.target?.value !== h.getName()) return;
    const start = index.offsetAt(content.start);
    const body = mapSpan(index.text, start, index.offsetAt(content.end));
    // BuildKit runs a RUN that is a single heredoc as the SHELL's script, or as an executable
    // file when it starts with #!; any other heredoc is stdin of the command that reads it.
    const onlyHeredoc = lineScript.commands.length === 1 && owners[k].cmd.words.length === 0 && heredocs.length === 1;
    const shebang = onlyHeredoc ? shebangInterpreter(body.text) : null;
    const isScript = onlyHeredoc ? shebang === null || SHELLS.has(shebang) : readsScriptFromStdin(owners[k].cmd, owners[k].r);
    const ownShell = !onlyHeredoc || shebang !== null;
    if (isScript) segments.push({ kind: 'heredoc', script: tokenizeShell(body, index), heredoc: h, ownShell });
  });
  return { form: 'shell', segments };
}

// The interpreter of a `#!/usr/bin/env python3` or `#!/bin/bash -e` first line, if any.
function shebangInterpreter(body: string): string | null {
  const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(body);
  if (!m) return null;
  return basename(m[1]) === 'env' && m[2] ? basename(m[2]) : basename(m[1]);
}

// `bash <<EOF`, `sh -e <<EOF`: a shell with no -c and no script file reads its script from stdin.
function readsScriptFromStdin(cmd: SimpleCommand, redirect: Redirect): boolean {
  if (redirect.fd !== null && redirect.fd !== '0') return false;
  const words = cmd.words.filter((w) => !/^[A-Za-z_]\w*=/.test(w.value));
  if (words.length === 0 || !SHELLS.has(basename(words[0].value))) return false;
  for (let k = 1; k < words.length; k++) {
    const a = words[k].value;
    if (/^[-+]o$/.test(a)) k++;
    else if (/^-[A-Za-z]*c/.test(a) || !/^[-+]/.test(a)) return false;
  }
  return true;
}
