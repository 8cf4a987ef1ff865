// The hijacked endpoints, which arrive as HTTP upgrades (Connection: Upgrade, Upgrade: tcp):
// `POST /containers/{id}/attach?stream&stdin&stdout&stderr` here, `POST /exec/{id}/start` in
// execStream.ts. An attach answers 101 at once, even before the container runs (`docker run`
// attaches, then starts); its output begins when the process does and the stream ends once the
// process's output has drained, which is when `docker run` exits.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/engine';
import { ApiError, toApiError } from './apiError';
import { splitVersion } from './apiVersion';
import { startExecStream } from './execStream';
import { ignoreInput, pumpInput, pumpOutput, rawResponse, upgradeResponse } from './hijack';
import { QueryParams } from './queryParams';
import type { ServerIdentity } from './responses';

const ATTACH_RE = /^\/containers\/([^/]+)\/attach$/;
const EXEC_START_RE = /^\/exec\/([^/]+)\/start$/;

export interface UpgradeContext {
  engine: Engine;
  identity: ServerIdentity;
  req: IncomingMessage;
  socket: Duplex;
  /** Bytes that arrived after the headers: the start of the body or of the client's input. */
  head: Buffer;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
}

/** Handles one upgrade request; answers anything but attach and exec start with an error. */
export async function handleUpgrade(engine: Engine, identity: ServerIdentity, req: IncomingMessage, socket: Duplex, head: Buffer, closing: AbortSignal): Promise<void> {
  socket.on('error', () => undefined);
  const abort = new AbortController();
  const stopOnClose = (): void => abort.abort();
  closing.addEventListener('abort', stopOnClose);
  socket.once('close', stopOnClose);
  const upgraded = { done: false };
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { path } = splitVersion(url.pathname);
    const query = new QueryParams(url.searchParams);
    const context: UpgradeContext = { engine, identity, req, socket, head, signal: abort.signal };
    const attach = ATTACH_RE.exec(path);
    const execStart = EXEC_START_RE.exec(path);
    if (req.method === 'POST' && attach !== null) await attachContainer(context, decodeURIComponent(attach[1]), query, upgraded);
    else if (req.method === 'POST' && execStart !== null) await startExecStream(context, decodeURIComponent(execStart[1]), upgraded);
    else throw new ApiError(400, `berth does not support upgrading ${req.method} ${path}`);
  } catch (error) {
    if (upgraded.done) {
      socket.destroy();
      return;
    }
    const apiError = toApiError(error);
    if (apiError.status >= 500) process.stderr.write(`berth serve: ${req.method} ${req.url}: ${apiError.message}\n`);
    rawResponse(socket, apiError.status, identity, apiError.message);
  } finally {
    closing.removeEventListener('abort', stopOnClose);
    socket.off('close', stopOnClose);
  }
}

async function attachContainer(context: UpgradeContext, ref: string, query: QueryParams, upgraded: { done: boolean }): Promise<void> {
  const { engine, identity, socket, head, signal } = context;
  const wantsStdin = query.bool('stdin');
  const stdout = query.bool('stdout');
  const stderr = query.bool('stderr');
  if (query.bool('logs')) throw new ApiError(400, 'berth does not support attach with logs=1 yet; use docker logs for past output');
  // Checked before the 101, so a missing container gets a proper error status.
  const stdio = engine.containers.attachStdio(ref, { stdin: wantsStdin, signal });
  upgradeResponse(socket, identity);
  upgraded.done = true;
  if (head.length > 0) socket.unshift(head);
  const attached = await stdio.socket;
  if (attached === undefined) {
    socket.end();
    return;
  }
  attached.on('error', () => undefined);
  if (stdio.stdin) pumpInput(socket, attached, !stdio.tty);
  else ignoreInput(socket);
  const closeOnAbort = (): void => {
    attached.destroy();
  };
  signal.addEventListener('abort', closeOnAbort, { once: true });
  try {
    await pumpOutput(attached, socket, { tty: stdio.tty, stdout, stderr });
  } finally {
    signal.removeEventListener('abort', closeOnAbort);
    socket.unpipe(attached);
    attached.destroy();
  }
  socket.end();
}
