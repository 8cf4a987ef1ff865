// A token service for the reference registry's `auth.token` mode (the Docker token spec): it
// answers `GET /token?service=&scope=` with a JWT signed RS256 by a throwaway key whose
// self-signed certificate the registry trusts (`rootcertbundle`); the certificate travels in the
// JWT's `x5c` header, which distribution verifies against that bundle. It grants every scope
// asked for to a user with the right Basic password (or to anyone when `anonymous` is set), and
// records each request so tests can see what was asked and whether credentials came along.
import { execFile } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TokenRequestLog {
  service: string | null;
  scopes: string[];
  /** `user` from Basic auth, or undefined when the request had none. */
  user: string | undefined;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  rootCertPath: string;
  requests: TokenRequestLog[];
  close(): Promise<void>;
}

export async function startTokenServer(dir: string, options: { username: string; password: string; expiresIn?: number }): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=berth-test-token']);
  const key = await readFile(keyPath, 'utf8');
  const certDer = Buffer.from((await readFile(certPath, 'utf8')).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: TokenRequestLog[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scopes = url.searchParams.getAll('scope');
    const header = req.headers.authorization;
    let user: string | undefined;
    if (header?.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (name !== options.username || rest.join(':') !== options.password) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad user name or password' }] }));
        return;
      }
      user = name;
    }
    requests.push({ service: url.searchParams.get('service'), scopes, user });
    if (user === undefined) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((scope) => {
      const [type, ...middle] = scope.split(':');
      const actions = middle.pop() ?? '';
      return { type, name: middle.join(':'), actions: actions.split(',').filter((a) => a !== '') };
    });
    const token = jwt({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }, { iss: issuer, sub: user, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 5, iat: now, jti: randomBytes(8).toString('hex'), access }, key);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: options.expiresIn ?? 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertPath: certPath,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function jwt(header: object, claims: object, privateKeyPem: string): string {
  const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(body).sign(privateKeyPem);
  return `${body}.${b64url(signature)}`;
}
