// The Docker Engine API server: Node's http on whatever the caller listens on (serve uses a
// UNIX socket). Per request: common headers, version check, route, handler, and any error as
// Docker's `{"message": …}`. Requests berth does not serve get a 404 or 400 that says so, never a hang.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/engine';
import { handleUpgrade } from './attachStream';
import { ApiError, toApiError } from './apiError';
import { splitVersion } from './apiVersion';
import type { Handler } from './handler';
import { QueryParams } from './queryParams';
import { sendError, setCommonHeaders } from './responses';
import { dockerRoutes } from './routes';

export interface DockerApiServer {
  server: Server;
  /** Stops accepting, ends event streams, waits for requests in flight up to `timeoutMs`, then cuts the rest. */
  close(timeoutMs: number): Promise<void>;
}

export function createDockerApiServer(engine: Engine, version: string): DockerApiServer {
  const routes = dockerRoutes();
  const identity = { server: `berth/${version} (linux)`, version };
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const server = createServer((req, res) => {
    const work = handle(req, res).finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  // Attach and exec start arrive as HTTP upgrades (Connection: Upgrade, Upgrade: tcp).
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const work = handleUpgrade(engine, identity, req, socket, head, closing.signal).finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  // Node cuts a request whose body takes over 5 minutes by default; a large `docker load` may.
  server.requestTimeout = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setCommonHeaders(res, identity);
    let name: string | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const { path } = splitVersion(url.pathname);
      const method = req.method ?? 'GET';
      let match: ReturnType<typeof routes.match>;
      try {
        match = routes.match(method, path);
      } catch {
        throw new ApiError(400, `malformed %-escape in ${JSON.stringify(path)}`);
      }
      if (match === undefined) {
        // 404 for lookups, so `docker inspect` goes on from containers to images; 400 for
        // actions, since a 404 on POST /containers/create would make `docker run` try a pull.
        throw new ApiError(method === 'GET' || method === 'HEAD' ? 404 : 400, `berth does not support ${method} ${path} yet`);
      }
      name = match.params.name;
      await (match.handler as Handler)({ req, res, params: match.params, query: new QueryParams(url.searchParams), engine, identity, closing: closing.signal });
    } catch (error) {
      const apiError = toApiError(error, name);
      if (apiError.status >= 500) process.stderr.write(`berth serve: ${req.method} ${req.url}: ${apiError.message}\n`);
      if (!res.headersSent) sendError(res, apiError.status, apiError.message);
      else res.destroy(apiError);
    } finally {
      // A handler that failed before reading the body must not leave the client blocked on upload.
      if (!req.complete) req.resume();
    }
  }

  async function close(timeoutMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    closing.abort();
    server.closeIdleConnections();
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref());
    const outcome = await Promise.race([Promise.allSettled([...inFlight]).then(() => 'done' as const), timer]);
    if (outcome === 'timeout') process.stderr.write(`berth serve: ${inFlight.size} request(s) still running after ${timeoutMs} ms; closing their connections\n`);
    server.closeAllConnections();
    await stopped;
  }

  return { server, close };
}
