// Builder-side variable handling: finding `$VAR` / `${VAR...}` the way BuildKit's word lexer
// does (escape character, single quotes, comment lines inside continuations), and resolving
// global ARG defaults for FROM lines.
import { Arg, type Dockerfile, type Instruction } from 'dockerfile-ast';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver-types';
import { keywordOf, splitWords } from './support';

export interface VariableUse {
  readonly name: string;
  /** `$NAME`, or `${NAME` (plus `}` when it follows directly). */
  readonly range: Range;
  /** `${NAME:-word}`, `${NAME+word}`, `${NAME:?msg}`...: the author handled the unset case. */
  readonly guarded: boolean;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Variable references in `document` between two offsets (one instruction's arguments). */
export function scanVariables(document: TextDocument, from: number, to: number, escapeChar: string): VariableUse[] {
  const text = document.getText().slice(0, to);
  const uses: VariableUse[] = [];
  let inSingle = false;
  let inDouble = false;
  let lineStart = false;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      lineStart = true;
      i++;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      // A comment line inside a continued instruction is dropped by the parser.
      const indent = /[ \t]*/y;
      indent.lastIndex = i;
      indent.exec(text);
      if (text[indent.lastIndex] === '#') {
        while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
        continue;
      }
    }
    if (c === escapeChar && !inSingle) {
      // An escaped character is never a variable; an escaped newline continues the line.
      const next = text[i + 1];
      if (next === '\n' || next === '\r') {
        lineStart = true;
        i += next === '\r' && text[i + 2] === '\n' ? 3 : 2;
      } else {
        i += 2;
      }
      continue;
    }
    if (c === "'" && !inDouble) inSingle = !inSingle;
    else if (c === '"' && !inSingle) inDouble = !inDouble;
    else if (c === '$' && !inSingle) {
      const use = readVariable(text, i, document);
      if (use) {
        uses.push(use.use);
        i = use.next;
        continue;
      }
    }
    i++;
  }
  return uses;
}

function readVariable(text: string, dollar: number, document: TextDocument): { use: VariableUse; next: number } | null {
  const braced = text[dollar + 1] === '{';
  NAME.lastIndex = dollar + (braced ? 2 : 1);
  const match = NAME.exec(text);
  if (!match) return null;
  let end = NAME.lastIndex;
  let guarded = false;
  if (braced) {
    const modifier = /:?[-+?=]/y;
    modifier.lastIndex = end;
    guarded = modifier.test(text);
    if (text[end] === '}') end++;
  }
  const range = { start: document.positionAt(dollar), end: document.positionAt(end) };
  // Scanning resumes after the name, so variables nested in `${A:-$B}` are still found.
  return { use: { name: match[0], range, guarded }, next: NAME.lastIndex };
}

/** One `NAME[=default]` of an ARG instruction (`ARG A B=1` declares two). */
export interface ArgDeclaration {
  readonly name: string;
  readonly nameRange: Range;
  /** The default with one level of quotes removed, or null when there is none. */
  readonly value: string | null;
}

/**
 * The names an ARG declares. dockerfile-ast 0.7.1 reads `ARG A B=1` as one legacy-style
 * property `A` with value `B=1`, but the builder declares both A and B.
 */
export function argDeclarations(instruction: Instruction, document: TextDocument, escapeChar: string): ArgDeclaration[] {
  const range = instruction.getArgumentsRange();
  if (!(instruction instanceof Arg) || !range) return [];
  return splitWords(document, range, escapeChar).flatMap((word) => {
    const eq = word.text.indexOf('=');
    const name = eq < 0 ? word.text : word.text.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return [];
    const value = eq < 0 ? null : word.text.slice(eq + 1).replace(/^(["'])(.*)\1$/s, '$2');
    const start = word.range.start;
    return [{ name, nameRange: { start, end: { line: start.line, character: start.character + name.length } }, value }];
  });
}

/** Global ARGs (before the first FROM) with their resolved default, null when unknown. */
export function globalArgValues(dockerfile: Dockerfile, document: TextDocument): Map<string, string | null> {
  const values = new Map<string, string | null>();
  const escapeChar = dockerfile.getEscapeCharacter();
  for (const instruction of dockerfile.getInstructions()) {
    if (keywordOf(instruction) === 'FROM') break;
    for (const { name, value } of argDeclarations(instruction, document, escapeChar)) {
      values.set(name, value === null ? null : expand(value, values, escapeChar));
    }
  }
  return values;
}

/**
 * `text` with `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` replaced from `values`,
 * or null when a variable has no known value or the syntax is beyond this small expander.
 */
export function expand(text: string, values: ReadonlyMap<string, string | null>, escapeChar: string): string | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === escapeChar && i + 1 < text.length) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) return null;
      const body = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+])(.*))?$/s.exec(text.slice(i + 2, close));
      if (!body || (body[4] ?? '').includes('$')) return null;
      const [, name, colon, modifier, word] = body;
      const value = values.get(name);
      // Declared without a default: the value comes from --build-arg, so it is unknown here.
      if (value === null) return null;
      const set = colon ? value !== undefined && value !== '' : value !== undefined;
      if (modifier === '-') {
        out += set ? (value ?? '') : word;
      } else if (modifier === '+') {
        out += set ? word : '';
      } else if (value === undefined) {
        return null;
      } else {
        out += value;
      }
      i = close + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const match = NAME.exec(text);
    if (!match) {
      out += c;
      i++;
      continue;
    }
    const value = values.get(match[0]);
    if (value === undefined || value === null) return null;
    out += value;
    i = NAME.lastIndex;
  }
  return out;
}
