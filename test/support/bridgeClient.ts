// A minimal client of berth's WebSocket bridge for tests: JSON-RPC requests with promises,
// notifications as events, and channels whose credit the test controls (grant nothing to play
// a slow reader).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { decodeFrame, encodeCredit } from '../../runtime/bridge/channelFrames';
import { CHANNEL_CLOSED_NOTIFICATION, FrameKind, type ChannelClosedParams, type RpcError } from '../../runtime/bridge/protocol';

export class RpcFailure extends Error {
  constructor(readonly error: RpcError) {
    super(error.message);
  }
}

export interface ChannelData {
  stdout: Buffer[];
  stderr: Buffer[];
  bytes: number;
  ended: boolean;
  closed?: ChannelClosedParams;
}

export class BridgeClient extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly channels = new Map<number, ChannelData>();
  /** Grant credit back as data arrives (a fast reader); false plays a reader that never reads. */
  autoCredit = true;

  private constructor(readonly socket: WebSocket) {
    super();
    socket.on('message', (data, isBinary) => {
      const buffer = data as Buffer;
      if (isBinary) this.onFrame(buffer);
      else this.onText(buffer.toString('utf8'));
    });
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the bridge closed'));
      this.pending.clear();
    });
  }

  static connect(url: string, tokenFile: string, headers: Record<string, string> = {}): Promise<BridgeClient> {
    const token = readFileSync(tokenFile, 'utf8');
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}`, ...headers } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new BridgeClient(socket)));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body.trim()}`), { status: res.statusCode, body })));
      });
      socket.once('error', reject);
    });
  }

  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
  }

  /** Resolves with the channel's data once `channel.closed` arrives. */
  closed(channel: number): Promise<ChannelData> {
    const data = this.channel(channel);
    if (data.closed !== undefined) return Promise.resolve(data);
    return new Promise((resolve) => this.on(`closed:${channel}`, () => resolve(data)));
  }

  /** Resolves once at least `bytes` have arrived on the channel. */
  received(channel: number, bytes: number): Promise<ChannelData> {
    const data = this.channel(channel);
    if (data.bytes >= bytes) return Promise.resolve(data);
    return new Promise((resolve) => {
      const check = (): void => {
        if (data.bytes < bytes) return;
        this.off(`data:${channel}`, check);
        resolve(data);
      };
      this.on(`data:${channel}`, check);
    });
  }

  grant(channel: number, bytes: number): void {
    this.socket.send(encodeCredit(channel, bytes));
  }

  close(): void {
    this.socket.close();
  }

  channel(id: number): ChannelData {
    let data = this.channels.get(id);
    if (data === undefined) this.channels.set(id, (data = { stdout: [], stderr: [], bytes: 0, ended: false }));
    return data;
  }

  private onText(text: string): void {
    const message = JSON.parse(text) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: RpcError };
    if (message.method !== undefined) {
      if (message.method === CHANNEL_CLOSED_NOTIFICATION) {
        const params = message.params as ChannelClosedParams;
        this.channel(params.channel).closed = params;
        this.emit(`closed:${params.channel}`);
      }
      this.emit('notification', message.method, message.params);
      return;
    }
    const waiter = this.pending.get(message.id!);
    if (waiter === undefined) return;
    this.pending.delete(message.id!);
    if (message.error !== undefined) waiter.reject(new RpcFailure(message.error));
    else waiter.resolve(message.result);
  }

  private onFrame(buffer: Buffer): void {
    const frame = decodeFrame(buffer);
    const data = this.channel(frame.channel);
    if (frame.kind === FrameKind.End) data.ended = true;
    else if (frame.kind === FrameKind.Stdout || frame.kind === FrameKind.Stderr) {
      (frame.kind === FrameKind.Stdout ? data.stdout : data.stderr).push(frame.payload);
      data.bytes += frame.payload.length;
      if (this.autoCredit) this.grant(frame.channel, frame.payload.length);
    }
    this.emit(`data:${frame.channel}`);
  }
}
