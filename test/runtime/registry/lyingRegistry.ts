// A registry that lies, for the faults the real one cannot produce: a small HTTP server on
// loopback serving one image honestly by default, where each test swaps in one dishonest
// answer (wrong bytes, wrong digest header, oversized or truncated blobs, confused media types,
// redirects). It records every request with its Authorization header, so tests can prove where
// credentials went.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SyntheticImage } from './registryFixtures';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** Returns true when it answered the request itself. */
export type Override = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

export interface LyingRegistry {
  host: string;
  requests: RecordedRequest[];
  /** Replaces the override (undefined: fully honest). */
  override(fn: Override | undefined): void;
  close(): Promise<void>;
}

export interface LyingRegistryOptions {
  image: SyntheticImage;
  /** Extra manifests by digest (an index's children). */
  documents?: { digest: string; bytes: Buffer; mediaType: string }[];
  /** When set, every /v2/ request needs this Basic user:password. */
  basicAuth?: { username: string; password: string };
}

export async function startLyingRegistry(options: LyingRegistryOptions): Promise<LyingRegistry> {
  const requests: RecordedRequest[] = [];
  let current: Override | undefined;
  const { image } = options;
  const blobs = new Map<string, Buffer>([[image.config.digest, image.configBytes], ...image.layers.map((l) => [l.descriptor.digest, l.bytes] as [string, Buffer])]);
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>([[image.manifest.digest, { bytes: image.manifestBytes, mediaType: image.manifest.mediaType }]]);
  for (const doc of options.documents ?? []) manifests.set(doc.digest, doc);
  const expectedAuth = options.basicAuth ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}` : undefined;

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    if (expectedAuth !== undefined && path.startsWith('/v2/') && req.headers.authorization !== expectedAuth) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="lying"', 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    // An override reads the request body itself; otherwise it is drained here.
    if (current?.(req, res, path) === true) return;
    req.resume();
    if (path === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const manifest = /^\/v2\/.+\/manifests\/([^/]+)$/.exec(path);
    if (manifest !== null) {
      const ref = manifest[1];
      const found = ref.startsWith('sha256:') ? manifests.get(ref) : ref === 'latest' ? manifests.get(image.manifest.digest) : undefined;
      if (found === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: ref } }] }));
        return;
      }
      const digest = ref.startsWith('sha256:') ? ref : image.manifest.digest;
      res.writeHead(200, { 'content-type': found.mediaType, 'content-length': found.bytes.length, 'docker-content-digest': digest }).end(req.method === 'HEAD' ? undefined : found.bytes);
      return;
    }
    const blob = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (blob !== null && blobs.has(blob[1])) {
      const bytes = blobs.get(blob[1])!;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'docker-content-digest': blob[1] }).end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    override: (fn) => {
      current = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plain server on another port (another origin): where a redirect sends blob downloads. */
export async function startBlobStorage(blobs: Map<string, Buffer>): Promise<{ origin: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    const bytes = blobs.get(path.slice(1));
    if (bytes === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
