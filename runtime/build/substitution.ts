// Variable substitution as Docker's classic builder does it (dockerd 20.10, which uses the
// shell lexer of moby/buildkit v0.8, frontend/dockerfile/shell/lex.go). It is not a shell: it
// removes quotes, honours the escape character and expands exactly these forms:
//   $NAME  ${NAME}  ${NAME:-word}  ${NAME:+word}  ${NAME?message}  ${NAME:?message}
// Everything else inside `${…}` fails with moby's own message; checked against dockerd 20.10:
// `${V-w}`, `${V+w}`, `${V#p}`, `${V%p}` and `${V/a/b}` are "missing ':' in substitution"
// there (newer BuildKit accepts them, the classic builder does not).
//
// The builder applies it to ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR ARG,
// never to RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK or ONBUILD.

/** The variables a word sees: name → value. Names compare case-sensitively (Linux). */
export type SubstitutionEnv = ReadonlyMap<string, string>;

export class SubstitutionError extends Error {
  constructor(readonly word: string, readonly reason: string) {
    super(`failed to process ${goQuote(word)}: ${reason}`);
    this.name = 'SubstitutionError';
  }
}

/** Docker's `ProcessWord`: one word out, spaces kept, quotes removed. */
export function processWord(word: string, env: SubstitutionEnv, escapeChar = '\\'): string {
  return new Lexer(word, env, escapeChar).run().result;
}

/**
 * Docker's `ProcessWords` (used only by EXPOSE): expands, then splits on unquoted whitespace,
 * including whitespace that came from a variable's value.
 */
export function processWords(word: string, env: SubstitutionEnv, escapeChar = '\\'): string[] {
  return new Lexer(word, env, escapeChar).run().words;
}

/** `KEY=VALUE` strings (the image's Env) to a lookup; the first entry for a name wins, as in moby's getEnv. */
export function envFromList(list: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!env.has(name)) env.set(name, eq < 0 ? '' : entry.slice(eq + 1));
  }
  return env;
}

class Words {
  private word = '';
  private inWord = false;
  readonly list: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.list.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else this.addRaw(ch);
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRaw(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) this.list.push(this.word);
    this.word = '';
    this.inWord = false;
    return this.list;
  }
}

const EOF = '';

class Lexer {
  private readonly chars: string[];
  private pos = 0;

  constructor(private readonly source: string, private readonly env: SubstitutionEnv, private readonly escape: string) {
    this.chars = Array.from(source);
  }

  run(): { result: string; words: string[] } {
    try {
      return this.processStopOn(EOF);
    } catch (error) {
      if (error instanceof LexFailure) throw new SubstitutionError(this.source, error.message);
      throw error;
    }
  }

  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }

  private next(): string {
    return this.chars[this.pos++] ?? EOF;
  }

  private processStopOn(stop: string): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return { result, words: words.finish() };
      }
      if (ch === "'" || ch === '"' || ch === '$') {
        const piece = ch === "'" ? this.singleQuote() : ch === '"' ? this.doubleQuote() : this.dollar();
        result += piece;
        // A variable's value is split like unquoted text; quoted text stays one word.
        if (ch === '$') words.addString(piece);
        else words.addRaw(piece);
        continue;
      }
      let c = this.next();
      if (c === this.escape) {
        c = this.next();
        if (c === EOF) break; // a trailing escape character is dropped
        words.addRaw(c);
      } else words.addChar(c);
      result += c;
    }
    if (stop !== EOF) throw new LexFailure(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.finish() };
  }

  private singleQuote(): string {
    this.next();
    let result = '';
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return result;
      result += ch;
    }
  }

  private doubleQuote(): string {
    this.next();
    let result = '';
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return result;
      }
      if (ch === '$') {
        result += this.dollar();
        continue;
      }
      let c = this.next();
      if (c === this.escape) {
        const after = this.peek();
        if (after === EOF) continue; // an escape at the very end is ignored
        // Only ", $ and the escape character itself can be escaped; other escapes stay literal.
        if (after === '"' || after === '$' || after === this.escape) c = this.next();
      }
      result += c;
    }
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      return this.env.get(name) ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new LexFailure("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexFailure('syntax error: bad substitution');
    const name = this.name();
    const ch = this.next();
    const value = this.env.get(name);
    if (ch === '}') return value ?? '';
    if (ch === '?') {
      const word = this.wordUntilBrace();
      if (value === undefined) throw new LexFailure(`${name}: ${word || 'is not allowed to be unset'}`);
      return value;
    }
    if (ch === ':') {
      const modifier = this.next();
      const word = this.wordUntilBrace();
      switch (modifier) {
        case '+':
          return value ? word : (value ?? '');
        case '-':
          return value ? value : word;
        case '?':
          if (value === undefined) throw new LexFailure(`${name}: ${word || 'is not allowed to be unset'}`);
          if (value === '') throw new LexFailure(`${name}: ${word || 'is not allowed to be empty'}`);
          return value;
        default:
          throw new LexFailure(`unsupported modifier (${modifier}) in substitution`);
      }
    }
    throw new LexFailure("missing ':' in substitution");
  }

  private wordUntilBrace(): string {
    try {
      return this.processStopOn('}').result;
    } catch (error) {
      if (error instanceof LexFailure && this.peek() === EOF) throw new LexFailure("syntax error: missing '}'");
      throw error;
    }
  }

  /** A name: letters, digits and `_`; or a run of digits; or one special parameter character. */
  private name(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (name === '' && '@*#?-$!0'.includes(ch)) return this.next();
      if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
      name += this.next();
    }
    return name;
  }
}

class LexFailure extends Error {}

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

/** Go's unicode.IsSpace for the characters that occur in Dockerfiles. */
export function isSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch);
}

/** Go's %q for a string, enough for error messages and history text (ASCII escapes as Go writes them). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
