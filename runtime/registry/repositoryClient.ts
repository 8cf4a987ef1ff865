// The distribution API of one repository (`/v2/<name>/…`), request by request: manifests, blob
// HEAD/GET, uploads (start, mount, monolithic PUT, chunked PATCH) and manifest PUT. It adds the
// Authorization header for the scopes the repository was opened with, retries once after a 401
// when the request can be replayed, and turns every non-2xx answer into a RegistryError that
// names the registry, repository and what was asked. It trusts nothing it returns: pull.ts and
// push.ts verify digests and sizes.
import type { Readable } from 'node:stream';
import type { Digest } from '../store/digest';
import { MANIFEST_ACCEPT } from '../store/mediaTypes';
import { MAX_MANIFEST_SIZE } from '../store/manifest';
import { repositoryScope, type Authenticator } from './authenticator';
import { adviceFor, codeForStatus, parseErrorBody, RegistryError } from './registryError';
import type { HttpMethod, HttpResponse, HttpTransport } from './transport';

const MAX_ERROR_BODY = 64 * 1024;

export interface FetchedManifest {
  bytes: Buffer;
  /** The Content-Type, as the registry sent it. */
  contentType: string | undefined;
  /** What the registry claims the digest is; verify before believing. */
  claimedDigest: string | undefined;
}

export type UploadStart = { kind: 'mounted' } | { kind: 'upload'; location: URL };

export interface RepositoryTarget {
  /** Registry host as in the reference: `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Path inside it: `library/busybox`. */
  path: string;
}

export class RepositoryClient {
  readonly base: URL;
  private readonly scopes: string[];

  /**
   * @param actions what this session will do here (`pull`, or `pull`+`push`)
   * @param mountSources other repositories of the same registry we may mount blobs from (pull scope there)
   */
  constructor(
    private readonly transport: HttpTransport,
    private readonly auth: Authenticator,
    readonly target: RepositoryTarget,
    actions: readonly ('pull' | 'push')[],
    mountSources: readonly string[] = [],
  ) {
    this.base = transport.baseUrl(target.registry);
    this.scopes = [repositoryScope(target.path, actions), ...[...new Set(mountSources)].filter((s) => s !== target.path).map((s) => repositoryScope(s, ['pull']))];
  }

  get name(): string {
    return `${this.target.registry}/${this.target.path}`;
  }

  async getManifest(reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const response = await this.send('GET', this.url(`manifests/${reference}`), { headers: { accept: MANIFEST_ACCEPT.join(', ') }, signal });
    await this.expect(response, [200], `manifest ${reference}`);
    const bytes = await this.transport.readBody(response, MAX_MANIFEST_SIZE, `manifest ${reference} of ${this.name}`);
    return { bytes, contentType: response.header('content-type'), claimedDigest: response.header('docker-content-digest') };
  }

  /** The blob's size if the repository has it, undefined if not. */
  async headBlob(digest: Digest, signal?: AbortSignal): Promise<number | undefined> {
    const response = await this.send('HEAD', this.url(`blobs/${digest}`), { signal, followRedirects: true });
    response.body.resume();
    if (response.status === 404) return undefined;
    await this.expect(response, [200], `blob ${digest}`);
    const size = Number(response.header('content-length'));
    return Number.isSafeInteger(size) ? size : -1;
  }

  /** The blob's bytes as a stream (following redirects to blob storage, without our credentials). */
  async getBlob(digest: Digest, signal?: AbortSignal): Promise<HttpResponse> {
    const response = await this.send('GET', this.url(`blobs/${digest}`), { signal, followRedirects: true });
    await this.expect(response, [200], `blob ${digest}`);
    return response;
  }

  /** Starts an upload, or mounts `digest` from `from` (same registry) when the registry allows it. */
  async startUpload(mount?: { digest: Digest; from: string }, signal?: AbortSignal): Promise<UploadStart> {
    const url = this.url('blobs/uploads/');
    if (mount !== undefined) {
      url.searchParams.set('mount', mount.digest);
      url.searchParams.set('from', mount.from);
    }
    const response = await this.send('POST', url, { signal });
    response.body.resume();
    if (mount !== undefined && response.status === 201) return { kind: 'mounted' };
    await this.expect(response, [202], mount ? `mount of ${mount.digest} from ${mount.from}` : 'a blob upload');
    return { kind: 'upload', location: this.location(response, 'the upload start') };
  }

  /** Monolithic upload: the whole blob in the closing PUT. */
  async putBlob(location: URL, digest: Digest, size: number, body: Readable | Buffer, signal?: AbortSignal): Promise<void> {
    const url = withDigest(location, digest);
    const response = await this.send('PUT', url, { body, headers: { 'content-type': 'application/octet-stream', ...(Buffer.isBuffer(body) ? {} : { 'content-length': String(size) }) }, signal });
    response.body.resume();
    await this.expect(response, [201], `upload of blob ${digest}`);
  }

  /** One chunk of a chunked upload; returns where the next request goes. */
  async patchChunk(location: URL, chunk: Buffer, offset: number, signal?: AbortSignal): Promise<URL> {
    const response = await this.send('PATCH', location, {
      body: chunk,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      signal,
    });
    response.body.resume();
    await this.expect(response, [202, 204], `chunk at byte ${offset} of an upload`);
    return this.location(response, 'a chunk upload');
  }

  /** Closes a chunked upload: PUT with the digest and no body. */
  async finishUpload(location: URL, digest: Digest, signal?: AbortSignal): Promise<void> {
    const response = await this.send('PUT', withDigest(location, digest), { signal });
    response.body.resume();
    await this.expect(response, [201], `completion of the upload of blob ${digest}`);
  }

  /** Returns the digest the registry says it stored the manifest under. */
  async putManifest(reference: string, mediaType: string, bytes: Buffer, signal?: AbortSignal): Promise<string | undefined> {
    const response = await this.send('PUT', this.url(`manifests/${reference}`), { body: bytes, headers: { 'content-type': mediaType }, signal });
    response.body.resume();
    await this.expect(response, [201], `manifest ${reference}`);
    return response.header('docker-content-digest');
  }

  private url(suffix: string): URL {
    return new URL(`/v2/${this.target.path}/${suffix}`, this.base);
  }

  /** Upload locations may be relative or absolute; an absolute one must stay on this registry's origin or pass the TLS rule. */
  private location(response: HttpResponse, what: string): URL {
    const location = response.header('location');
    if (location === undefined || location === '') {
      throw new RegistryError('protocol', `registry ${this.target.registry} answered ${what} for ${this.name} without a Location header; it does not follow the distribution protocol`, { registry: this.target.registry, repository: this.target.path, status: response.status });
    }
    const url = new URL(location, response.url);
    if (url.origin !== this.base.origin) {
      throw new RegistryError('protocol', `registry ${this.target.registry} sent the upload for ${this.name} to another host (${url.origin}); berth only uploads to the registry itself, so credentials stay there`, { registry: this.target.registry, repository: this.target.path });
    }
    return url;
  }

  private async send(method: HttpMethod, url: URL, options: { headers?: Record<string, string>; body?: Readable | Buffer; signal?: AbortSignal | undefined; followRedirects?: boolean }): Promise<HttpResponse> {
    const replayable = options.body === undefined || Buffer.isBuffer(options.body);
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.auth.header(this.target.registry, this.scopes, options.signal);
      const response = await this.transport.request({
        method,
        url,
        headers: { ...options.headers, ...(authorization !== undefined ? { authorization } : {}) },
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        ...(options.followRedirects ? { followRedirects: true } : {}),
      });
      if (response.status !== 401 || attempt > 0 || !replayable) return response;
      response.body.resume();
      this.auth.unauthorized(this.target.registry, response.header('www-authenticate'), this.scopes);
    }
  }

  /** Throws a RegistryError for any status not in `ok`, with the registry's own error text. */
  private async expect(response: HttpResponse, ok: number[], what: string): Promise<void> {
    if (ok.includes(response.status)) return;
    let entries: { code: string; message: string }[] = [];
    try {
      entries = parseErrorBody(await this.transport.readBody(response, MAX_ERROR_BODY, 'an error body'));
    } catch {
      // The status alone still says what happened.
    }
    const codes = entries.map((e) => e.code);
    const code = codeForStatus(response.status, codes);
    const said = entries.length > 0 ? `: ${entries.map((e) => `${e.code}${e.message ? ` (${e.message})` : ''}`).join('; ')}` : '';
    throw new RegistryError(code, `registry ${this.target.registry} answered ${response.status} for ${what} in ${this.target.path}${said}; ${adviceFor(code, this.target.registry)}`, {
      registry: this.target.registry,
      repository: this.target.path,
      status: response.status,
      registryCodes: codes,
    });
  }
}

function withDigest(location: URL, digest: Digest): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url;
}
