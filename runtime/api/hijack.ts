// Hijacked connections (attach, exec start), shared by attachStream.ts and execStream.ts: the raw
// HTTP answers, the request body read off the upgraded socket, and the two pumps between the
// client and a process's stdio (conmon's attach socket).
//  - Output: with a terminal, raw bytes (a terminal has one stream); without, Docker's 8-byte
//    frames per chunk (stdcopy).
//  - Input: the client's bytes go to the process; the client's half-close (CloseWrite, on stdin
//    EOF) half-closes the attach socket when the input should end there, and the connection
//    stays open for the output that follows.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AttachSocket, OutputChunk } from '../container/attachSocket';
import { streamFrame } from '../container/containerLog';
import { ApiError } from './apiError';
import { API_VERSION } from './apiVersion';
import type { ServerIdentity } from './responses';

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

/** A plain HTTP response on the raw socket, then close; `message` as Docker's error body. */
export function rawResponse(socket: Duplex, status: number, identity: ServerIdentity, message?: string): void {
  const text = message === undefined ? '' : JSON.stringify({ message }) + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nApi-Version: ${API_VERSION}\r\nServer: ${identity.server}\r\nOstype: linux\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** The 101 that turns the connection into a raw stream. */
export function upgradeResponse(socket: Duplex, identity: ServerIdentity): void {
  socket.write(
    `HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
      `Api-Version: ${API_VERSION}\r\nServer: ${identity.server}\r\nOstype: linux\r\n\r\n`,
  );
}

/**
 * The request body of an upgrade request (Content-Length bytes: part may be in `head`, the rest
 * still on the socket). Whatever follows it is the client's input and is put back on the socket.
 */
export async function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer, maxBytes: number): Promise<Buffer> {
  const lengthText = req.headers['content-length'];
  const length = lengthText === undefined ? 0 : Number(lengthText);
  if (!Number.isInteger(length) || length < 0) throw new ApiError(400, `invalid Content-Length ${JSON.stringify(lengthText)}`);
  if (length > maxBytes) throw new ApiError(400, `the request body is over ${maxBytes} bytes`);
  let data = head;
  while (data.length < length) {
    const chunk = await new Promise<Buffer | undefined>((resolve) => {
      const onData = (c: Buffer): void => done(c);
      const onEnd = (): void => done(undefined);
      const done = (c: Buffer | undefined): void => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        socket.pause();
        resolve(c);
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (chunk === undefined) throw new ApiError(400, `the request body ended after ${data.length} of ${length} bytes`);
    data = Buffer.concat([data, chunk]);
  }
  if (data.length > length) socket.unshift(data.subarray(length));
  return data.subarray(0, length);
}

export interface OutputChoice {
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** Copies the process's output to the client until it ends (or the client goes away). */
export async function pumpOutput(stdio: AttachSocket, client: Duplex, choice: OutputChoice): Promise<void> {
  for await (const chunk of stdio as AsyncIterable<OutputChunk>) {
    if (client.destroyed || client.writableEnded) continue;
    if (chunk.stream === 'stdout' ? !choice.stdout : !choice.stderr) continue;
    const ok = client.write(choice.tty ? chunk.data : streamFrame(chunk.stream, chunk.data));
    if (!ok && !client.destroyed) await new Promise<void>((resolve) => {
      client.once('drain', resolve);
      client.once('close', resolve);
    });
  }
}

/**
 * Copies the client's input to the process. `endInput`: the client's half-close ends the
 * process's input (without a terminal); with one, input simply stops, as in Docker.
 */
export function pumpInput(client: Duplex, stdio: AttachSocket, endInput: boolean): void {
  client.pipe(stdio, { end: endInput });
  client.resume();
}

/** Discards whatever the client sends (an attach without stdin), so its writes never block. */
export function ignoreInput(client: Duplex): void {
  client.on('data', () => undefined);
  client.resume();
}
