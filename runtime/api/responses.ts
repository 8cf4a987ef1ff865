// Writing responses the way dockerd does: the headers every response carries, JSON bodies,
// errors as `{"message": …}`, and JSON-lines progress streams flushed object by object.
import type { ServerResponse } from 'node:http';
import { API_VERSION } from './apiVersion';

export interface ServerIdentity {
  /** `berth/0.1.0 (linux)`. */
  server: string;
}

export function setCommonHeaders(res: ServerResponse, identity: ServerIdentity): void {
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Server', identity.server);
  res.setHeader('Ostype', 'linux');
  res.setHeader('Docker-Experimental', 'false');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { message });
}

/**
 * A progress stream: one JSON object per line. The 200 and headers go out with the first line,
 * so an error before anything was written can still be answered with a proper status.
 */
export class JsonLineStream {
  constructor(private readonly res: ServerResponse) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  start(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, { 'Content-Type': 'application/json' });
    this.res.flushHeaders();
  }

  write(object: unknown): void {
    this.start();
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(JSON.stringify(object) + '\r\n');
  }

  /** Docker's in-stream failure, after a 200 was already sent. */
  fail(message: string, code = 1): void {
    this.write({ errorDetail: { message, code }, error: message });
  }

  end(): void {
    this.start();
    this.res.end();
  }
}
