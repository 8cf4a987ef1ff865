// From Dockerfile text to Docker's raw nodes: one per instruction with its keyword, its
// `--flags`, and its arguments split the way moby's parser splits each instruction
// (buildkit frontend/dockerfile/parser, line_parsers.go, as vendored by dockerd 20.10).
// dockerfile-ast finds the instructions and the escape directive; the arguments are re-split
// here because Docker's rules differ per instruction (ENV keeps quotes for the lexer, VOLUME
// splits on whitespace only, CMD's JSON form is "whatever json.Decoder reads first").
import { DockerfileParser } from 'dockerfile-ast';
import { BuildError } from './buildError';
import { isSpace } from './substitution';

export interface RawInstruction {
  /** Upper-case keyword (`RUN`, `COPY`, …). */
  keyword: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** The whole logical line as Docker keeps it (continuations joined). */
  original: string;
  /** `--name=value` words before the arguments. */
  flags: string[];
  /** Arguments after flags, unsplit (trimmed at the start). */
  rest: string;
  /** Lines after the instruction that dockerfile-ast counts as its heredoc bodies (BuildKit syntax). */
  heredocLines: string[];
}

export interface ParsedDockerfile {
  escapeChar: string;
  instructions: RawInstruction[];
}

const WHITESPACE = /[\t\v\f\r ]+/;

export function parseDockerfileText(text: string): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  const escapeChar = ast.getEscapeCharacter();
  if (escapeChar !== '\\' && escapeChar !== '`') {
    throw new BuildError(1, `invalid escape token '${escapeChar}' does not match ` + '[\\\\`]; use "# escape=\\" or "# escape=`"');
  }
  const lines = text.split(/\r?\n/);
  const instructions: RawInstruction[] = [];
  for (const instruction of ast.getInstructions()) {
    const range = instruction.getRange();
    const start = range.start.line;
    const { line: original, last } = joinLogicalLine(lines, start, escapeChar);
    const trimmed = original.trim();
    const match = WHITESPACE.exec(trimmed);
    const keyword = match ? trimmed.slice(0, match.index) : trimmed;
    const afterKeyword = match ? trimmed.slice(match.index + match[0].length) : '';
    const { rest, flags } = extractFlags(afterKeyword);
    const heredocLines = range.end.line > last ? lines.slice(last + 1, range.end.line + 1) : [];
    instructions.push({ keyword: keyword.toUpperCase(), line: start + 1, original, flags, rest, heredocLines });
  }
  return { escapeChar, instructions };
}

/**
 * Docker's continuation rules: a line ending in the escape character (trailing blanks allowed)
 * continues; comment lines and blank lines inside a continuation are skipped; continuation
 * lines keep their leading whitespace.
 */
function joinLogicalLine(lines: string[], start: number, escapeChar: string): { line: string; last: number } {
  const continuation = new RegExp(`${escapeChar === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  let line = lines[start].replace(/^[\t ]+/, '');
  let ends = !continuation.test(line);
  line = line.replace(continuation, '');
  let last = start;
  for (let i = start + 1; !ends && i < lines.length; i++) {
    last = i;
    const next = lines[i];
    if (/^[\t ]*#/.test(next)) continue;
    if (next.trim() === '') continue;
    ends = !continuation.test(next);
    line += next.replace(continuation, '');
  }
  return { line, last };
}

/** moby's extractBuilderFlags: leading `--…` words (quotes and `\` handled), the rest as is. */
export function extractFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let word = '';
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const ch = pos < line.length ? line[pos] : '';
    if (phase === 'spaces') {
      if (pos === line.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      phase = 'word';
    }
    if (pos === line.length) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        pos++;
      }
      word += line[pos];
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
    }
    word += line[pos];
  }
  return { rest: '', flags };
}

/** moby's parseWords: whitespace-separated words, quotes and escapes kept for the lexer. */
export function parseWords(rest: string, escapeChar: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeChar) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        pos++;
        ch = chars[pos];
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    if (ch === escapeChar && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      pos++;
      ch = chars[pos];
    }
    word += ch;
  }
  return words;
}

/** ENV and LABEL: `name=value …`, or the old `name value with spaces` form. */
export function parseNameValues(rest: string, keyword: string, escapeChar: string, line: number): [string, string][] {
  const words = parseWords(rest, escapeChar);
  if (words.length === 0) throw new BuildError(line, `${keyword} requires at least one argument`);
  if (!words[0].includes('=')) {
    const parts = splitOnce(rest, WHITESPACE);
    if (parts.length < 2) throw new BuildError(line, `${keyword} must have two arguments (write ${keyword} name=value)`);
    return [[parts[0], parts[1]]];
  }
  return words.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) throw new BuildError(line, `Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    if (eq === 0) throw new BuildError(line, `${keyword} names can not be blank`);
    return [word.slice(0, eq), word.slice(eq + 1)];
  });
}

/**
 * RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD: a JSON array of strings when the text starts
 * with `[` and decodes as one (only the first JSON value counts, as with Go's json.Decoder),
 * otherwise the whole text as one shell-form string.
 */
export function parseMaybeJson(rest: string, line: number): { json: boolean; args: string[] } {
  if (rest === '') return { json: false, args: [] };
  const json = parseJsonArray(rest, line);
  if (json) return { json: true, args: json };
  return { json: false, args: [rest] };
}

/** VOLUME, COPY, ADD: a JSON array, or words split on whitespace only (quotes are left to the lexer). */
export function parseMaybeJsonToList(rest: string, line: number): { json: boolean; args: string[] } {
  const json = parseJsonArray(rest, line);
  if (json) return { json: true, args: json };
  return { json: false, args: splitWhitespace(rest) };
}

export function splitWhitespace(rest: string): string[] {
  if (rest === '') return [];
  return rest.split(WHITESPACE);
}

function parseJsonArray(rest: string, line: number): string[] | undefined {
  const text = rest.replace(/^\s+/, '');
  if (!text.startsWith('[')) return undefined;
  const value = decodeFirstJsonValue(text);
  if (!Array.isArray(value)) return undefined;
  if (!value.every((item) => typeof item === 'string')) {
    throw new BuildError(line, 'when using JSON array syntax, arrays must be comprised of strings only');
  }
  return value as string[];
}

/** The first JSON value of `text`, ignoring what follows it (Go's json.Decoder.Decode). */
function decodeFirstJsonValue(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        try {
          return JSON.parse(text.slice(0, i + 1));
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

function splitOnce(text: string, separator: RegExp): string[] {
  const match = separator.exec(text);
  if (!match) return [text];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}
