// Who may open the bridge: the decision on a WebSocket upgrade request, as a pure function of
// its headers. The bridge listens on loopback, but that alone does not keep out a web page the
// user has open: a browser will happily connect to ws://127.0.0.1, and through DNS rebinding a
// hostile site can even make its own name resolve to 127.0.0.1. So:
//   - any `Origin` header means a browser made the request → 403 (editors and the CLI send none;
//     VS Code's extension host is Node, not a page);
//   - `Host` must be exactly the address and port the bridge listens on → 403 otherwise
//     (defeats DNS rebinding, where Host carries the attacker's name);
//   - `Authorization: Bearer <token>` must carry the token → 401 otherwise.
// Origin and Host are checked first, so a page learns nothing about the token.

export interface HandshakeHeaders {
  origin?: string;
  host?: string;
  authorization?: string;
}

export type HandshakeVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function checkHandshake(headers: HandshakeHeaders, listening: { host: string; port: number }, tokenMatches: (token: string) => boolean): HandshakeVerdict {
  if (headers.origin !== undefined) {
    return { ok: false, status: 403, reason: `connections from web pages are refused (Origin: ${headers.origin.slice(0, 100)})` };
  }
  const expectedHost = `${listening.host}:${listening.port}`;
  if (headers.host !== expectedHost) {
    return { ok: false, status: 403, reason: `the Host header must be ${expectedHost}, got ${JSON.stringify((headers.host ?? '').slice(0, 100))}` };
  }
  const match = /^Bearer ([^\s]+)$/i.exec(headers.authorization ?? '');
  if (match === null) return { ok: false, status: 401, reason: 'send the token from the agent\'s token file as "Authorization: Bearer <token>"' };
  if (!tokenMatches(match[1])) return { ok: false, status: 401, reason: 'the token is wrong; read it again from the agent\'s token file (it changes each time the agent starts)' };
  return { ok: true };
}
