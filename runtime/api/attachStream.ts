// `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1` as the CLI sends it: an HTTP upgrade
// to a raw stream carrying Docker's multiplexed frames. Output is the container's log from the
// moment of attaching (from the start when attached before start); the stream ends once the
// container has exited and its output is drained, which is when `docker run` exits.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { streamFrame } from '../container/containerLog';
import type { Engine } from '../engine/engine';
import { toApiError } from './apiError';
import { splitVersion } from './apiVersion';
import { QueryParams } from './queryParams';
import type { ServerIdentity } from './responses';
import { API_VERSION } from './apiVersion';

const ATTACH_RE = /^\/containers\/([^/]+)\/attach$/;

function rawResponse(socket: Duplex, status: number, reason: string, identity: ServerIdentity, body?: string): void {
  const text = body === undefined ? '' : JSON.stringify({ message: body }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nApi-Version: ${API_VERSION}\r\nServer: ${identity.server}\r\nOstype: linux\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** Handles one upgrade request; answers anything but attach with an error. */
export async function handleUpgrade(engine: Engine, identity: ServerIdentity, req: IncomingMessage, socket: Duplex, closing: AbortSignal): Promise<void> {
  socket.on('error', () => undefined);
  const url = new URL(req.url ?? '/', 'http://localhost');
  let path: string;
  try {
    path = splitVersion(url.pathname).path;
  } catch (error) {
    rawResponse(socket, 400, 'Bad Request', identity, toApiError(error).message);
    return;
  }
  const match = ATTACH_RE.exec(path);
  if (req.method !== 'POST' || match === null) {
    rawResponse(socket, 400, 'Bad Request', identity, `berth does not support upgrading ${req.method} ${path} yet`);
    return;
  }
  const abort = new AbortController();
  const stopOnClose = (): void => abort.abort();
  closing.addEventListener('abort', stopOnClose);
  socket.once('close', stopOnClose);
  let upgraded = false;
  try {
    const query = new QueryParams(url.searchParams);
    const id = decodeURIComponent(match[1]);
    if (query.bool('stdin')) throw Object.assign(new Error('berth does not support attaching stdin yet (docker run -i / docker attach with stdin); run without -i'), { status: 400 });
    const stdout = query.bool('stdout');
    const stderr = query.bool('stderr');
    // Checked before the 101, so a missing or stopped container gets a proper error status.
    const record = engine.containers.inspect(id);
    if (record.state.status === 'exited') throw Object.assign(new Error('You cannot attach to a stopped container, start it first'), { status: 409 });
    const records = engine.containers.attach(record.id, abort.signal);
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
        `Api-Version: ${API_VERSION}\r\nServer: ${identity.server}\r\nOstype: linux\r\n\r\n`,
    );
    upgraded = true;
    for await (const entry of records) {
      if (entry.stream === 'stdout' ? stdout : stderr) socket.write(streamFrame(entry.stream, entry.data));
    }
    socket.end();
  } catch (error) {
    if (upgraded) {
      socket.destroy();
      return;
    }
    const status = (error as { status?: number }).status;
    const apiError = status !== undefined ? { status, message: (error as Error).message } : toApiError(error);
    rawResponse(socket, apiError.status, apiError.status === 404 ? 'Not Found' : apiError.status === 409 ? 'Conflict' : 'Error', identity, apiError.message);
  } finally {
    closing.removeEventListener('abort', stopOnClose);
    socket.off('close', stopOnClose);
  }
}
