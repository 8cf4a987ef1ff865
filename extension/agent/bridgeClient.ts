// The extension's client of the agent's WebSocket bridge (runtime/bridge/protocol.ts): JSON-RPC
// requests as promises, notifications to listeners, and channel streams delivered to a sink
// whose pace sets the credit granted back, so a slow consumer (a busy output channel) slows
// the agent down instead of queueing data in the extension host. No vscode here.
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { decodeFrame, encodeCredit } from '../../runtime/bridge/channelFrames';
import { CHANNEL_CLOSED_NOTIFICATION, FrameKind, type ChannelClosedParams, type RpcError } from '../../runtime/bridge/protocol';

export class BridgeRequestError extends Error {
  constructor(
    readonly method: string,
    readonly rpc: RpcError,
  ) {
    super(rpc.message);
    this.name = 'BridgeRequestError';
  }

  /** Docker's HTTP status for an engine error (404, 409, …), if it was one. */
  get status(): number | undefined {
    return this.rpc.data?.status;
  }
}

export class BridgeClosedError extends Error {
  override name = 'BridgeClosedError';
}

export interface ChannelSink {
  /** Data of the stream; credit for it goes back once the returned promise settles. */
  onData(kind: FrameKind.Stdout | FrameKind.Stderr, data: Buffer): void | Promise<void>;
  /** The stream ended; `exitCode` for processes, `error` when it failed. */
  onClosed(outcome: ChannelClosedParams): void;
}

type NotificationListener = (method: string, params: unknown) => void;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class BridgeClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly sinks = new Map<number, ChannelSink>();
  /** Frames and closings that arrived before their channel's sink was attached. */
  private readonly early = new Map<number, (() => void)[]>();
  private readonly listeners = new Set<NotificationListener>();
  readonly closed: Promise<void>;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.onFrame(buffer);
      else this.onText(buffer.toString('utf8'));
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const { method, reject } of this.pending.values()) reject(new BridgeClosedError(`the connection to the berth agent closed during ${method}`));
        this.pending.clear();
        for (const sink of this.sinks.values()) sink.onClosed({ channel: -1, error: 'the connection to the berth agent closed' });
        this.sinks.clear();
        resolve();
      }),
    );
    socket.on('error', () => undefined); // 'close' follows and says it all
  }

  /** Connects with the token read from `tokenFile` (it changes each time the agent starts). */
  static async connect(url: string, tokenFile: string): Promise<BridgeClient> {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new BridgeClient(socket)));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => reject(new Error(`the berth agent at ${url} refused the connection (HTTP ${response.statusCode}): ${body.trim()}`)));
      });
      socket.once('error', (error) => reject(new Error(`cannot reach the berth agent at ${url}: ${error.message}`)));
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  request<T = unknown>(method: string, params?: object): Promise<T> {
    if (!this.isOpen) return Promise.reject(new BridgeClosedError(`not connected to the berth agent (${method})`));
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject }));
  }

  /** Calls a method that opens a channel and feeds the channel to `sink`; returns the channel id. */
  async stream(method: string, params: object, sink: ChannelSink): Promise<number> {
    const { channel } = await this.request<{ channel: number }>(method, params);
    this.sinks.set(channel, sink);
    for (const replay of this.early.get(channel) ?? []) replay();
    this.early.delete(channel);
    return channel;
  }

  /** Stops a channel the client no longer wants. */
  async cancel(channel: number): Promise<void> {
    this.sinks.delete(channel);
    await this.request('channel.close', { channel });
  }

  onNotification(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.close();
  }

  private onText(text: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: RpcError };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.method !== undefined) {
      if (message.method === CHANNEL_CLOSED_NOTIFICATION) this.onChannelClosed(message.params as ChannelClosedParams);
      for (const listener of this.listeners) listener(message.method, message.params);
      return;
    }
    const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
    if (waiter === undefined) return;
    this.pending.delete(message.id!);
    if (message.error !== undefined) waiter.reject(new BridgeRequestError(waiter.method, message.error));
    else waiter.resolve(message.result);
  }

  private onChannelClosed(outcome: ChannelClosedParams): void {
    const deliver = (): void => {
      const sink = this.sinks.get(outcome.channel);
      this.sinks.delete(outcome.channel);
      sink?.onClosed(outcome);
    };
    if (this.sinks.has(outcome.channel)) deliver();
    else this.defer(outcome.channel, deliver);
  }

  private onFrame(buffer: Buffer): void {
    let frame;
    try {
      frame = decodeFrame(buffer);
    } catch {
      return;
    }
    const deliver = (): void => {
      const sink = this.sinks.get(frame.channel);
      if (sink === undefined || (frame.kind !== FrameKind.Stdout && frame.kind !== FrameKind.Stderr)) return;
      const size = frame.payload.length;
      void Promise.resolve(sink.onData(frame.kind, frame.payload)).finally(() => {
        if (this.isOpen) this.socket.send(encodeCredit(frame.channel, size));
      });
    };
    if (this.sinks.has(frame.channel)) deliver();
    else this.defer(frame.channel, deliver);
  }

  private defer(channel: number, work: () => void): void {
    let queue = this.early.get(channel);
    if (queue === undefined) this.early.set(channel, (queue = []));
    queue.push(work);
  }
}
