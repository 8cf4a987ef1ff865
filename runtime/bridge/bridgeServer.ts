// The bridge's listener: WebSocket (package ws) on 127.0.0.1 with an ephemeral port. Every
// upgrade passes checkHandshake (no browser Origin, the exact Host, the bearer token) before the
// WebSocket exists; refusals are plain HTTP 401/403 with the reason in the body.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Engine } from '../engine/engine';
import { BRIDGE_METHODS } from './bridgeMethods';
import { serveConnection } from './bridgeConnection';
import type { BridgeToken } from './bridgeToken';
import { checkHandshake } from './handshake';

export const BRIDGE_HOST = '127.0.0.1';

/** Largest WebSocket message accepted: channel frames are ≤ 64 KiB plus a header. */
const MAX_PAYLOAD = 2 * 1024 * 1024;

export interface BridgeServer {
  /** `ws://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

export async function startBridge(engine: Engine, token: BridgeToken, version: string, port: number, log: (line: string) => void): Promise<BridgeServer> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('this is berth\'s WebSocket bridge: connect with a WebSocket client and a bearer token\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`the bridge port ${BRIDGE_HOST}:${port} is in use; choose another --bridge-port or leave it out for any free port`) : error),
    );
    http.listen(port, BRIDGE_HOST, () => resolve());
  });
  const bound = (http.address() as AddressInfo).port;

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const verdict = checkHandshake({ origin: req.headers.origin, host: req.headers.host, authorization: req.headers.authorization }, { host: BRIDGE_HOST, port: bound }, token.matches);
    if (!verdict.ok) {
      const reason = verdict.status === 401 ? 'Unauthorized' : 'Forbidden';
      const body = `${verdict.reason}\n`;
      socket.end(`HTTP/1.1 ${verdict.status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, { engine, version, methods: BRIDGE_METHODS, log }));
  });

  return {
    url: `ws://${BRIDGE_HOST}:${bound}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
