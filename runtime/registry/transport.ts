// HTTP(S) for the registry client, on node:http and node:https with keep-alive agents.
// Three rules live here so no caller can forget them:
// - plain HTTP only to loopback hosts and hosts the user listed as insecure; TLS otherwise
//   (also for redirect targets and token realms, which a registry chooses);
// - redirects are followed only when the caller asks (blob GETs), and the Authorization header
//   never follows a redirect to another origin (blob storage such as S3 gets a signed URL, not
//   the user's token);
// - every request has an inactivity timeout and honours an AbortSignal.
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { errorMessage, RegistryError } from './registryError';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array | Readable;
  /** GET/HEAD only: follow up to maxRedirects 3xx answers. */
  followRedirects?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Where the answer came from (after redirects). */
  url: URL;
  /** The body; callers must consume it or call destroy(). */
  body: http.IncomingMessage;
  header(name: string): string | undefined;
}

export interface TransportOptions {
  /** Hosts (`host` or `host:port`) reached over plain HTTP although they are not loopback. */
  insecureHosts?: string[];
  /** No byte in either direction for this long fails the request (default 60 s). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
  /** Extra CA certificates for TLS (a private registry's CA). */
  ca?: string | Buffer;
}

export const DOCKER_HUB_DOMAIN = 'docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** localhost, 127.0.0.0/8 and ::1: where plain HTTP cannot be intercepted. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export class HttpTransport {
  private readonly insecure: Set<string>;
  private readonly idleTimeoutMs: number;
  private readonly maxRedirects: number;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent: https.Agent;

  constructor(options: TransportOptions = {}) {
    this.insecure = new Set((options.insecureHosts ?? []).map((h) => h.toLowerCase()));
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16, ...(options.ca !== undefined ? { ca: options.ca } : {}) });
  }

  /** The base URL of a registry's API: `https://registry-1.docker.io` for docker.io. */
  baseUrl(domain: string): URL {
    const host = domain === DOCKER_HUB_DOMAIN ? DOCKER_HUB_API_HOST : domain;
    return new URL(`${this.allowsPlainHttp(host) ? 'http' : 'https'}://${host}`);
  }

  /** Whether `host` (host or host:port) may be spoken to without TLS. */
  allowsPlainHttp(host: string): boolean {
    const lower = host.toLowerCase();
    const hostname = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d+$/, '');
    return isLoopbackHost(hostname) || this.insecure.has(lower) || this.insecure.has(hostname);
  }

  /** Throws unless `url` is https, or http to a host allowed plain HTTP. */
  checkScheme(url: URL, purpose: string): void {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && this.allowsPlainHttp(url.host)) return;
    throw new RegistryError(
      'insecure',
      `refusing ${purpose} over ${url.protocol.replace(':', '')} to ${url.host}: only https is allowed for hosts that are not loopback. ` +
        `If ${url.host} really is a plain-HTTP registry you trust, list it as an insecure registry`,
      { registry: url.host },
    );
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const origin = req.url.origin;
    let url = req.url;
    let headers = { ...req.headers };
    for (let hops = 0; ; hops++) {
      this.checkScheme(url, `a ${req.method} request`);
      const response = await this.once(req.method, url, headers, req.body, req.signal);
      const location = response.header('location');
      const follow = req.followRedirects === true && (req.method === 'GET' || req.method === 'HEAD');
      if (!follow || !REDIRECT_STATUSES.has(response.status) || location === undefined) return response;
      response.body.resume();
      if (hops >= this.maxRedirects) {
        throw new RegistryError('protocol', `${req.url.host} redirected ${req.method} ${req.url.pathname} more than ${this.maxRedirects} times; the registry or its storage is misconfigured`, { registry: req.url.host });
      }
      url = new URL(location, url);
      if (isLoopbackHost(url.hostname) && !isLoopbackHost(req.url.hostname)) {
        // A remote registry has no business pointing us at services on this machine.
        throw new RegistryError('protocol', `${req.url.host} redirected ${req.method} ${req.url.pathname} to ${url.host} on this machine; refusing to follow`, { registry: req.url.host });
      }
      if (url.origin !== origin) {
        // The credentials belong to the registry, not to wherever it sends us.
        headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
      }
    }
  }

  /** Reads a whole body, refusing more than `max` bytes (a Content-Length over it fails at once). */
  async readBody(response: HttpResponse, max: number, what: string): Promise<Buffer> {
    const declared = Number(response.header('content-length'));
    if (Number.isFinite(declared) && declared > max) {
      response.body.destroy();
      throw new RegistryError('untrusted-content', `${what} from ${response.url.host} is ${declared} bytes, over the ${max}-byte limit; refusing to read it`, { registry: response.url.host });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > max) {
          response.body.destroy();
          throw new RegistryError('untrusted-content', `${what} from ${response.url.host} is over the ${max}-byte limit; stopped reading`, { registry: response.url.host });
        }
        chunks.push(chunk);
      }
    } catch (error) {
      throw this.wrap(error, response.url, 'reading the response');
    }
    return Buffer.concat(chunks);
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Turns a socket or abort error into a RegistryError naming the host. */
  wrap(error: unknown, url: URL, doing: string): RegistryError {
    if (error instanceof RegistryError) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ABORT_ERR' || (error as Error | undefined)?.name === 'AbortError') {
      return new RegistryError('aborted', `cancelled while ${doing} (${url.host})`, { registry: url.host }, { cause: error });
    }
    const hint = code === 'ECONNREFUSED' ? ': nothing listens there; is the registry running and the address right?' : code === 'ENOTFOUND' ? ': the host name does not resolve' : '';
    return new RegistryError('network', `network error while ${doing} with ${url.host}: ${errorMessage(error)}${hint}`, { registry: url.host }, { cause: error });
  }

  private once(method: HttpMethod, url: URL, headers: Record<string, string>, body: Uint8Array | Readable | undefined, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const isHttps = url.protocol === 'https:';
    const outgoing: Record<string, string> = { 'user-agent': 'berth', ...headers };
    if (body instanceof Uint8Array) outgoing['content-length'] = String(body.byteLength);
    else if (body === undefined && (method === 'PUT' || method === 'POST' || method === 'PATCH')) outgoing['content-length'] = '0';
    return new Promise<HttpResponse>((resolve, reject) => {
      const options: http.RequestOptions = { method, headers: outgoing, agent: isHttps ? this.httpsAgent : this.httpAgent, ...(signal !== undefined ? { signal } : {}) };
      const req = (isHttps ? https : http).request(url, options, (res) => {
        res.setTimeout(this.idleTimeoutMs, () => res.destroy(this.timeoutError(url, 'receiving the response')));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          url,
          body: res,
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(', ') : value;
          },
        });
      });
      req.setTimeout(this.idleTimeoutMs, () => req.destroy(this.timeoutError(url, `sending ${method} ${url.pathname}`)));
      req.once('error', (error) => reject(this.wrap(error, url, `sending ${method} ${url.pathname}`)));
      if (body === undefined) req.end();
      else if (body instanceof Uint8Array) req.end(body);
      else {
        body.once('error', (error) => req.destroy(error));
        body.pipe(req);
      }
    });
  }

  private timeoutError(url: URL, doing: string): RegistryError {
    const quiet = this.idleTimeoutMs < 1000 ? `${this.idleTimeoutMs} ms` : `${Math.round(this.idleTimeoutMs / 1000)} s`;
    return new RegistryError('network', `${url.host} sent nothing for ${quiet} while ${doing}; the registry is stalled or unreachable, try again`, { registry: url.host });
  }
}
