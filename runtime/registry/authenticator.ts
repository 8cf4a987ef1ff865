// Who we are to a registry. The registry says how it wants to be spoken to in the 401 answer to
// `GET /v2/` (the "ping"): nothing (200), `Basic realm=…`, or `Bearer realm=…,service=…`. For
// Bearer we ask the realm for a token for exactly the scopes an operation needs
// (`repository:a/b:pull,push`), sending the user's credentials (Basic, or the identity token as an
// OAuth refresh grant) only there, and keep the token until it expires, per (realm, service,
// scopes). Credentials are looked up per registry host and only ever sent to that registry or to
// the token realm it names (which must be TLS unless loopback); the transport drops them on
// redirects elsewhere.
import { createHash } from 'node:crypto';
import type { CredentialSource, RegistryCredentials } from './credentials';
import { parseChallenges, type AuthChallenge } from './challenge';
import { adviceFor, errorMessage, parseErrorBody, RegistryError } from './registryError';
import type { HttpTransport } from './transport';

const MAX_TOKEN_RESPONSE = 1024 * 1024;
/** The token spec: a token without expires_in, or with less than this, lives 60 s. */
const MIN_TOKEN_LIFETIME_S = 60;
/** Renew this long before expiry, so a token does not run out in the middle of a request. */
const EXPIRY_MARGIN_MS = 10_000;
const CREDENTIALS_TTL_MS = 30_000;

/** What a registry wants, learned from its ping; `none` means anonymous access is enough. */
type RegistryScheme = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AuthenticatorOptions {
  /** Clock for token expiry; tests move it. */
  now?: () => number;
}

export class Authenticator {
  private readonly schemes = new Map<string, Promise<RegistryScheme>>();
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  /** Looked up at most once per CREDENTIALS_TTL_MS, so a long-lived agent sees a new `docker login`. */
  private readonly credentialCache = new Map<string, { at: number; found: Promise<RegistryCredentials | undefined> }>();
  private readonly now: () => number;

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: CredentialSource,
    options: AuthenticatorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The Authorization header for a request to `registry` needing `scopes`; undefined when anonymous is fine. */
  async header(registry: string, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const scheme = await this.scheme(registry, signal);
    if (scheme.kind === 'none') return undefined;
    const credentials = await this.credentialsFor(registry);
    if (scheme.kind === 'basic') {
      if (credentials?.username === undefined || credentials.password === undefined) {
        throw new RegistryError('unauthorized', `registry ${registry} requires a user name and password (Basic auth) and none are stored for it; ${adviceFor('unauthorized', registry)}`, { registry });
      }
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    if (credentials?.registryToken !== undefined) return `Bearer ${credentials.registryToken}`;
    return `Bearer ${await this.token(registry, scheme, scopes, credentials, signal)}`;
  }

  /**
   * Called on a 401 to an authenticated request: forgets what we knew (the token may have been
   * revoked or lacked a scope, or the registry changed its scheme) and learns the new challenge,
   * so one retry asks afresh.
   */
  unauthorized(registry: string, challengeHeader: string | undefined, scopes: string[]): void {
    const challenge = challengeHeader === undefined ? undefined : pickChallenge(parseChallenges(challengeHeader));
    if (challenge !== undefined) this.schemes.set(registry, Promise.resolve(schemeOf(challenge, registry)));
    else this.schemes.delete(registry);
    this.credentialCache.delete(registry);
    for (const key of [...this.tokens.keys()]) {
      if (key.startsWith(`${registry}|`) && key.endsWith(`|${scopeKey(scopes)}`)) this.tokens.delete(key);
    }
  }

  private scheme(registry: string, signal?: AbortSignal): Promise<RegistryScheme> {
    let found = this.schemes.get(registry);
    if (found === undefined) {
      found = this.ping(registry, signal);
      this.schemes.set(registry, found);
      found.catch(() => this.schemes.delete(registry));
    }
    return found;
  }

  private async ping(registry: string, signal?: AbortSignal): Promise<RegistryScheme> {
    const url = new URL('/v2/', this.transport.baseUrl(registry));
    const response = await this.transport.request({ method: 'GET', url, ...(signal ? { signal } : {}) });
    response.body.resume();
    if (response.status >= 200 && response.status < 300) return { kind: 'none' };
    if (response.status === 401) {
      const header = response.header('www-authenticate');
      const challenge = header === undefined ? undefined : pickChallenge(parseChallenges(header));
      if (challenge === undefined) {
        throw new RegistryError('protocol', `registry ${registry} answered 401 to GET /v2/ without a usable WWW-Authenticate challenge (got ${JSON.stringify(header ?? null)}); it is not speaking the registry protocol`, { registry, status: 401 });
      }
      return schemeOf(challenge, registry);
    }
    throw new RegistryError(
      response.status === 404 ? 'not-found' : 'protocol',
      `${url.origin} answered ${response.status} to GET /v2/, so it is not an OCI/Docker registry API endpoint; check the registry address (${registry})`,
      { registry, status: response.status },
    );
  }

  private credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    const cached = this.credentialCache.get(registry);
    if (cached !== undefined && this.now() - cached.at < CREDENTIALS_TTL_MS) return cached.found;
    const found = this.credentials.get(registry);
    const entry = { at: this.now(), found };
    this.credentialCache.set(registry, entry);
    found.catch(() => {
      if (this.credentialCache.get(registry) === entry) this.credentialCache.delete(registry);
    });
    return found;
  }

  private async token(registry: string, scheme: Extract<RegistryScheme, { kind: 'bearer' }>, scopes: string[], credentials: RegistryCredentials | undefined, signal?: AbortSignal): Promise<string> {
    // Tokens are per identity too: two users of one agent never share a token.
    const key = `${registry}|${identityOf(credentials)}|${scheme.realm}|${scheme.service ?? ''}|${scopeKey(scopes)}`;
    // Concurrent requests share one fetch; an expired token is replaced once, not once per caller.
    for (;;) {
      const cached = this.tokens.get(key);
      if (cached === undefined) break;
      const token = await cached.catch(() => undefined);
      if (token !== undefined && token.expiresAt - EXPIRY_MARGIN_MS > this.now()) return token.token;
      if (this.tokens.get(key) === cached) {
        this.tokens.delete(key);
        break;
      }
    }
    const fetching = this.fetchToken(registry, scheme, scopes, credentials, signal);
    this.tokens.set(key, fetching);
    fetching.catch(() => {
      if (this.tokens.get(key) === fetching) this.tokens.delete(key);
    });
    return (await fetching).token;
  }

  private async fetchToken(registry: string, scheme: Extract<RegistryScheme, { kind: 'bearer' }>, scopes: string[], credentials: RegistryCredentials | undefined, signal?: AbortSignal): Promise<CachedToken> {
    let realm: URL;
    try {
      realm = new URL(scheme.realm);
    } catch {
      throw new RegistryError('protocol', `registry ${registry} names the token service ${JSON.stringify(scheme.realm)}, which is not a URL`, { registry });
    }
    this.transport.checkScheme(realm, `asking the token service for registry ${registry}`);
    const params = new URLSearchParams();
    if (scheme.service !== undefined) params.append('service', scheme.service);
    for (const scope of scopes) params.append('scope', scope);
    const headers: Record<string, string> = {};
    let method: 'GET' | 'POST' = 'GET';
    let body: Buffer | undefined;
    const url = new URL(realm);
    if (credentials?.identityToken !== undefined) {
      // OAuth2 refresh grant, as the Docker engine does with an identity token.
      method = 'POST';
      params.append('grant_type', 'refresh_token');
      params.append('refresh_token', credentials.identityToken);
      params.append('client_id', 'berth');
      body = Buffer.from(params.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      for (const [name, value] of params) url.searchParams.append(name, value);
      if (credentials?.username !== undefined && credentials.password !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
    }
    const response = await this.transport.request({ method, url, headers, ...(body ? { body } : {}), ...(signal ? { signal } : {}) });
    const bytes = await this.transport.readBody(response, MAX_TOKEN_RESPONSE, `the token answer for ${registry}`);
    if (response.status === 401 || response.status === 403) {
      const why = parseErrorBody(bytes).map((e) => e.message || e.code).join('; ');
      throw new RegistryError(
        'unauthorized',
        `the token service ${realm.origin}${realm.pathname} refused ${credentials === undefined ? 'anonymous access' : 'the stored credentials'} for ${scopes.join(' ')} on ${registry} (${response.status}${why ? `: ${why}` : ''}); ${adviceFor('unauthorized', registry)}`,
        { registry, status: response.status },
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new RegistryError('protocol', `the token service ${realm.origin}${realm.pathname} for ${registry} answered ${response.status}; try again later`, { registry, status: response.status });
    }
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
    } catch (error) {
      throw new RegistryError('protocol', `the token service for ${registry} sent a body that is not JSON (${errorMessage(error)})`, { registry });
    }
    const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : undefined;
    if (token === undefined || token === '' || /[\r\n]/.test(token)) {
      throw new RegistryError('protocol', `the token service for ${registry} answered without a usable "token" or "access_token"`, { registry });
    }
    const lifetime = typeof doc.expires_in === 'number' && Number.isFinite(doc.expires_in) ? Math.max(doc.expires_in, MIN_TOKEN_LIFETIME_S) : MIN_TOKEN_LIFETIME_S;
    return { token, expiresAt: this.now() + lifetime * 1000 };
  }
}

/** Bearer if offered (it scopes access), else Basic; other schemes we cannot answer. */
function pickChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined) ?? challenges.find((c) => c.scheme === 'basic');
}

function schemeOf(challenge: AuthChallenge, registry: string): RegistryScheme {
  if (challenge.scheme === 'basic') return { kind: 'basic' };
  const realm = challenge.params.realm;
  if (realm === undefined) throw new RegistryError('protocol', `registry ${registry} sent a Bearer challenge without a realm`, { registry });
  return challenge.params.service !== undefined ? { kind: 'bearer', realm, service: challenge.params.service } : { kind: 'bearer', realm };
}

function identityOf(credentials: RegistryCredentials | undefined): string {
  if (credentials?.identityToken !== undefined) return `token:${createHash('sha256').update(credentials.identityToken).digest('hex').slice(0, 16)}`;
  if (credentials?.username !== undefined) return `user:${credentials.username}:${createHash('sha256').update(credentials.password ?? '').digest('hex').slice(0, 16)}`;
  return 'anonymous';
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ');
}

/** `repository:a/b:pull,push`. */
export function repositoryScope(path: string, actions: readonly string[]): string {
  return `repository:${path}:${actions.join(',')}`;
}
