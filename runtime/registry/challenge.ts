// Parsing `WWW-Authenticate` (RFC 7235) as registries send it:
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"
//   Basic realm="basic-realm"
// One header may carry several challenges; a parameter value is a token or a quoted string
// (with backslash escapes, and commas inside quotes, as in the scope above).

export interface AuthChallenge {
  /** Lowercase: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lowercased. */
  params: Record<string, string>;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let rest = header.trim();
  let current: AuthChallenge | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN_RE.exec(rest)?.[0];
    if (name === undefined) break;
    const after = rest.slice(name.length).replace(/^\s+/, '');
    if (after.startsWith('=') && current !== undefined && !after.startsWith('==')) {
      // A parameter of the current challenge.
      const { value, remaining } = readValue(after.slice(1).replace(/^\s+/, ''));
      current.params[name.toLowerCase()] = value;
      rest = remaining;
    } else {
      // A new scheme (token68 credentials, which registries do not use, are skipped).
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      rest = after;
    }
  }
  return out;
}

function readValue(text: string): { value: string; remaining: string } {
  if (!text.startsWith('"')) {
    const token = TOKEN_RE.exec(text)?.[0] ?? '';
    return { value: token, remaining: text.slice(token.length) };
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) value += text[++i];
    else if (c === '"') return { value, remaining: text.slice(i + 1) };
    else value += c;
  }
  return { value, remaining: '' };
}
