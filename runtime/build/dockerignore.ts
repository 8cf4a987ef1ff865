// .dockerignore as the docker CLI applies it when it sends the build context: the file is read
// like moby's dockerignore.ReadAll, patterns compile to regular expressions like
// moby/patternmatcher, a path is excluded when the last pattern that matches it (or one of its
// parent directories) is not a `!` exception, and the walk skips an excluded directory unless
// an exception pattern names something under it literally (a `!**/x` exception does not
// rescue files inside an excluded directory; that is Docker's behaviour, kept on purpose).

export interface IgnorePattern {
  /** The cleaned pattern without its `!`. */
  pattern: string;
  exclusion: boolean;
  /** The pattern split on `/`, for the parent-directory check. */
  dirs: string[];
  regex: RegExp;
}

export class DockerignoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerignoreError';
  }
}

/**
 * The lines of a .dockerignore as moby's ReadAll returns them: a UTF-8 BOM dropped, lines
 * starting with `#` skipped (only at column 0), whitespace trimmed, each pattern cleaned like
 * Go's filepath.Clean and a leading `/` removed, `!` kept in front.
 */
export function readDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

/** Compiles patterns like patternmatcher.New: trimmed, cleaned, `!` split off, checked. */
export function compilePatterns(patterns: readonly string[]): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const raw of patterns) {
    let p = raw.trim();
    if (p === '') continue;
    p = cleanPath(p);
    let exclusion = false;
    if (p.startsWith('!')) {
      if (p.length === 1) throw new DockerignoreError('illegal exclusion pattern: "!" (a line with only "!" in .dockerignore; remove it)');
      exclusion = true;
      p = p.slice(1);
    }
    checkBrackets(p);
    out.push({ pattern: p, exclusion, dirs: p.split('/'), regex: patternRegex(p) });
  }
  return out;
}

/** patternmatcher's MatchesOrParentMatches: is `file` (relative, `/`-separated) excluded? */
export function isExcluded(file: string, patterns: readonly IgnorePattern[]): boolean {
  let matched = false;
  const parent = dirname(file);
  const parentDirs = parent.split('/');
  for (const pattern of patterns) {
    // An inclusion cannot change an already excluded path, nor an exception an included one.
    if (pattern.exclusion !== matched) continue;
    let match = pattern.regex.test(file);
    if (!match && parent !== '.') {
      for (let i = 0; i < parentDirs.length && !match; i++) match = pattern.regex.test(parentDirs.slice(0, i + 1).join('/'));
    }
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

/**
 * The patterns the CLI really uses: when the .dockerignore would exclude the Dockerfile or
 * .dockerignore itself, an exception is appended so both always reach the builder
 * (docker/cli build.TrimBuildFilesFromExcludes).
 */
export function withBuildFilesKept(patterns: readonly string[], dockerfile: string): string[] {
  const out = [...patterns];
  const compiled = compilePatterns(out);
  if (isExcluded('.dockerignore', compiled)) out.push('!.dockerignore');
  const name = dockerfile.replace(/\\/g, '/');
  if (isExcluded(name, compiled)) out.push(`!${name}`);
  return out;
}

/**
 * The other half of "always sent": dockerd reads the Dockerfile and .dockerignore from the
 * context it received, then deletes each of them from the context when the .dockerignore (as
 * written, without the CLI's added exceptions) matches it, so COPY . never sees them then.
 */
export function removedByDaemon(patterns: readonly string[], dockerfile: string): string[] {
  const compiled = compilePatterns(patterns);
  return ['.dockerignore', dockerfile.replace(/\\/g, '/')].filter((name) => isExcluded(name, compiled));
}

export interface ContextEntry {
  /** Relative to the context root, `/`-separated, no leading `./`. */
  path: string;
  isDir: boolean;
}

/**
 * Which entries of a context walk are sent. `entries` must be in walk order (each directory
 * before its contents, as a depth-first walk gives). A skipped directory hides its subtree
 * unless an exception pattern starts with that directory's path; then the walk goes on and
 * the directory entry itself is still left out.
 */
export function selectContext(entries: Iterable<ContextEntry>, patterns: readonly IgnorePattern[]): ContextEntry[] {
  const kept: ContextEntry[] = [];
  const skippedDirs: string[] = [];
  const hasExceptions = patterns.some((p) => p.exclusion);
  for (const entry of entries) {
    if (skippedDirs.some((dir) => entry.path.startsWith(`${dir}/`))) continue;
    if (!isExcluded(entry.path, patterns)) {
      kept.push(entry);
      continue;
    }
    if (!entry.isDir) continue;
    const dirSlash = `${entry.path}/`;
    const rescued = hasExceptions && patterns.some((p) => p.exclusion && `${p.pattern}/`.startsWith(dirSlash));
    if (!rescued) skippedDirs.push(entry.path);
  }
  return kept;
}

/** The pattern as patternmatcher compiles it: `*` and `?` stop at `/`, `**` spans directories. */
export function patternRegex(pattern: string): RegExp {
  let re = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // `**/` behaves as `**`
        re += i + 1 >= chars.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '.' || ch === '$') re += `\\${ch}`;
    else if (ch === '\\') {
      if (i + 1 < chars.length) re += `\\${chars[++i]}`;
      else re += '\\\\';
    } else re += ch; // other characters pass to the regular expression as they are, as in Docker
  }
  re += '$';
  try {
    return new RegExp(re);
  } catch (error) {
    throw new DockerignoreError(`.dockerignore pattern ${JSON.stringify(pattern)} is not valid: ${(error as Error).message}`);
  }
}

/** patternmatcher calls filepath.Match(p, ".") only to reject malformed bracket expressions. */
function checkBrackets(pattern: string): void {
  let depth = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '[') depth = true;
    else if (ch === ']') depth = false;
  }
  if (depth) throw new DockerignoreError(`.dockerignore pattern ${JSON.stringify(pattern)} has an unclosed "[" (syntax error in pattern); escape it as "\\["`);
}

/** Go's path.Clean. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}
