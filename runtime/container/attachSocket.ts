// A client for conmon's attach socket (`<dir>/attach`, SOCK_SEQPACKET, which Node's `net` cannot
// open), as a Duplex: reads are output chunks `{stream, data}` (conmon starts every packet with
// one byte naming the stream: 2 stdout, 3 stderr), writes go to the process's stdin, and `end()`
// half-closes, on which conmon closes the process's stdin when it was started with `-i` (and not
// `--leave-stdin-open`). The readable side ends when conmon closes the socket, which it does after
// draining the process's output.
//
// The socket is connected through `/proc/self/fd/<dir fd>/attach`, as Podman does, so the path
// fits the 108-byte sun_path limit however deep the directory is.
import { constants, promises as fs } from 'node:fs';
import { Duplex } from 'node:stream';
import type { SeqpacketSocket } from 'node-unix-socket';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputChunk {
  stream: OutputStream;
  data: Buffer;
}

/** conmon reads at most CONN_SOCK_BUF_SIZE - 1 bytes per packet; larger packets would be cut. */
export const MAX_STDIN_PACKET = 8192 - 1;

/** Linux's O_PATH (Node's fs.constants lacks it). */
const O_PATH = 0o10000000;

const STREAM_BY_BYTE: Record<number, OutputStream> = { 2: 'stdout', 3: 'stderr' };

export class AttachSocketError extends Error {
  override name = 'AttachSocketError';
}

export class AttachSocket extends Duplex {
  private ended = false;

  constructor(private readonly socket: SeqpacketSocket) {
    super({ readableObjectMode: true, writableObjectMode: false, allowHalfOpen: true });
    socket.on('data', (packet: Buffer) => {
      const stream = STREAM_BY_BYTE[packet[0]];
      // Anything else (a packet from a newer conmon) is not output; skip it rather than guess.
      if (stream !== undefined && packet.length > 1) this.push({ stream, data: Buffer.from(packet.subarray(1)) } satisfies OutputChunk);
    });
    socket.on('end', () => this.finishReading());
    // The native socket reports a peer that went away mid-write as an error (EBADF, EPIPE);
    // for an attach that is simply the end of the process's stdio.
    socket.on('error', () => this.finishReading());
    socket.on('close', () => this.finishReading());
  }

  private finishReading(): void {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
    // Nothing more can be written usefully once conmon has gone.
    this.socket.destroy();
  }

  override _read(): void {
    // The native socket has no flow control: packets are pushed as they come.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.ended) {
      callback();
      return;
    }
    try {
      for (let offset = 0; offset < chunk.length; offset += MAX_STDIN_PACKET) {
        const piece = chunk.subarray(offset, Math.min(chunk.length, offset + MAX_STDIN_PACKET));
        const last = offset + MAX_STDIN_PACKET >= chunk.length;
        // The callback of the last packet says the whole chunk reached the kernel: backpressure
        // for whoever pipes stdin in.
        this.socket.write(piece, 0, piece.length, last ? () => callback() : undefined);
      }
      if (chunk.length === 0) callback();
    } catch {
      // Destroyed under us: the process is gone, its stdin with it.
      callback();
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.ended) {
      callback();
      return;
    }
    try {
      this.socket.end(() => callback());
    } catch {
      callback();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.ended = true;
    try {
      this.socket.destroy();
    } catch {
      // already closed
    }
    callback(error);
  }
}

/** Connects to `<dir>/attach`. Rejects when nothing listens there (the process has ended). */
export async function connectAttachSocket(dir: string): Promise<AttachSocket> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(dir, O_PATH | constants.O_DIRECTORY);
  } catch (error) {
    throw new AttachSocketError(`cannot open the attach directory ${dir}: ${(error as Error).message}`);
  }
  try {
    // Loaded on first use: an agent that only serves images never needs the native addon.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SeqpacketSocket } = require('node-unix-socket') as typeof import('node-unix-socket');
    const socket = new SeqpacketSocket();
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error): void => reject(new AttachSocketError(`cannot connect to ${dir}/attach: ${error.message}`));
      socket.once('error', failed);
      try {
        socket.connect(`/proc/self/fd/${handle.fd}/attach`, () => {
          socket.off('error', failed);
          resolve();
        });
      } catch (error) {
        failed(error as Error);
      }
    });
    return new AttachSocket(socket);
  } finally {
    await handle.close();
  }
}
