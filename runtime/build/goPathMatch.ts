// Go's path/filepath.Match on Unix, which COPY/ADD wildcards use: `*` and `?` never match `/`,
// `[...]` classes with ranges and `^` negation, `\` escapes. A malformed pattern is an error
// in Go; Docker ignores that error and treats it as "no match", and so does this.

export function containsWildcards(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

export function goPathMatch(pattern: string, name: string): boolean {
  try {
    return match(Array.from(pattern), 0, Array.from(name), 0);
  } catch (error) {
    if (error instanceof BadPattern) return false;
    throw error;
  }
}

class BadPattern extends Error {}

function match(p: string[], pi: number, s: string[], si: number): boolean {
  while (pi < p.length) {
    const ch = p[pi];
    if (ch === '*') {
      // A star matches any run of non-separator characters; try the shortest first.
      while (p[pi] === '*') pi++;
      if (pi === p.length) return !s.slice(si).includes('/');
      for (let k = si; k <= s.length; k++) {
        if (match(p, pi, s, k)) return true;
        if (k < s.length && s[k] === '/') break;
      }
      return false;
    }
    if (si >= s.length) {
      checkRest(p, pi);
      return false;
    }
    if (ch === '?') {
      if (s[si] === '/') return false;
      pi++;
      si++;
    } else if (ch === '[') {
      const { matched, next } = matchClass(p, pi, s[si]);
      if (!matched || s[si] === '/') return false;
      pi = next;
      si++;
    } else if (ch === '\\') {
      pi++;
      if (pi >= p.length) throw new BadPattern();
      if (p[pi] !== s[si]) return false;
      pi++;
      si++;
    } else {
      if (ch !== s[si]) return false;
      pi++;
      si++;
    }
  }
  return si === s.length;
}

function matchClass(p: string[], start: number, ch: string): { matched: boolean; next: number } {
  let i = start + 1;
  let negated = false;
  if (p[i] === '^') {
    negated = true;
    i++;
  }
  let matched = false;
  let count = 0;
  for (;;) {
    if (i >= p.length) throw new BadPattern();
    if (p[i] === ']' && count > 0) {
      i++;
      break;
    }
    const lo = classChar(p, i);
    i = lo.next;
    let hi = lo.ch;
    if (p[i] === '-') {
      const h = classChar(p, i + 1);
      hi = h.ch;
      i = h.next;
    }
    if (lo.ch <= ch && ch <= hi) matched = true;
    count++;
  }
  return { matched: matched !== negated, next: i };
}

function classChar(p: string[], i: number): { ch: string; next: number } {
  if (i >= p.length || p[i] === '-' || p[i] === ']') throw new BadPattern();
  if (p[i] === '\\') {
    if (i + 1 >= p.length) throw new BadPattern();
    return { ch: p[i + 1], next: i + 2 };
  }
  return { ch: p[i], next: i + 1 };
}

/** Go reports a malformed remainder even when the name ran out first. */
function checkRest(p: string[], pi: number): void {
  for (let i = pi; i < p.length; i++) {
    if (p[i] === '\\') {
      if (i + 1 >= p.length) throw new BadPattern();
      i++;
    } else if (p[i] === '[') i = matchClass(p, i, '\0').next - 1;
  }
}
