// One client's WebSocket: JSON-RPC requests in text frames, dispatched to the method table;
// channel frames in binary frames. Everything the connection started (channels, event
// subscriptions, follow streams) stops when it closes.
import type { WebSocket } from 'ws';
import { toApiError } from '../api/apiError';
import type { Engine } from '../engine/engine';
import type { Method, MethodContext } from './bridgeMethods';
import { creditOf, decodeFrame } from './channelFrames';
import { OutgoingChannel } from './outgoingChannel';
import { CHANNEL_CLOSED_NOTIFICATION, FrameKind, RpcErrorCodes, type RpcError, type RpcRequest, type RpcResponse } from './protocol';
import { asParams, RpcMethodError } from './rpcParams';

/** A request text larger than this is refused: requests are small; data travels in channels. */
const MAX_REQUEST_SIZE = 1024 * 1024;

export interface ConnectionOptions {
  engine: Engine;
  version: string;
  methods: Record<string, Method>;
  /** Where failures the client cannot be told about go (a log line on stderr). */
  log: (line: string) => void;
}

export function serveConnection(socket: WebSocket, options: ConnectionOptions): void {
  const abort = new AbortController();
  const channels = new Map<number, OutgoingChannel>();
  let nextChannel = 1;
  let subscribed = false;

  const sendText = (message: unknown): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const sendBinary = (frame: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) {
        reject(new Error('the bridge connection is closed'));
        return;
      }
      socket.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve()));
    });

  const context = (pending: (() => void)[]): MethodContext => ({
    engine: options.engine,
    version: options.version,
    signal: abort.signal,
    openChannel: () => {
      const channel = new OutgoingChannel(nextChannel++, sendBinary);
      channels.set(channel.id, channel);
      return channel;
    },
    closeChannel: (channel, outcome) => {
      channel.close();
      channels.delete(channel.id);
      sendText({ jsonrpc: '2.0', method: CHANNEL_CLOSED_NOTIFICATION, params: { channel: channel.id, ...outcome } });
    },
    notify: (method, params) => sendText({ jsonrpc: '2.0', method, params }),
    afterReply: (work) => pending.push(work),
    subscribeEvents: () => {
      const first = !subscribed;
      subscribed = true;
      return first;
    },
  });

  const handleRequest = async (text: string): Promise<void> => {
    let request: RpcRequest;
    try {
      request = parseRequest(text);
    } catch (error) {
      sendText(errorResponse(null, error));
      return;
    }
    // `channel.close`: the client no longer wants a channel's data.
    if (request.method === 'channel.close') {
      const id = asParams(request.params).channel;
      const channel = typeof id === 'number' ? channels.get(id) : undefined;
      if (channel !== undefined) {
        channel.close();
        channels.delete(channel.id);
      }
      sendText({ jsonrpc: '2.0', id: request.id, result: null });
      return;
    }
    const method = Object.hasOwn(options.methods, request.method) ? options.methods[request.method] : undefined;
    if (method === undefined) {
      sendText(errorResponse(request.id, new RpcMethodError(RpcErrorCodes.methodNotFound, `unknown method ${JSON.stringify(request.method)}; see runtime/bridge/bridgeMethods.ts for what the bridge offers`)));
      return;
    }
    const pending: (() => void)[] = [];
    try {
      const result = await method(asParams(request.params), context(pending));
      sendText({ jsonrpc: '2.0', id: request.id, result: result ?? null });
      for (const work of pending) work();
    } catch (error) {
      sendText(errorResponse(request.id, error));
    }
  };

  const handleFrame = (data: Buffer): void => {
    const frame = decodeFrame(data);
    const channel = channels.get(frame.channel);
    if (channel === undefined) return; // closed meanwhile: late credit is harmless
    if (frame.kind === FrameKind.Credit) channel.grant(creditOf(frame));
  };

  socket.on('message', (data, isBinary) => {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      try {
        handleFrame(buffer);
      } catch (error) {
        socket.close(1003, `bad frame: ${(error as Error).message}`.slice(0, 120));
      }
      return;
    }
    if (buffer.length > MAX_REQUEST_SIZE) {
      sendText(errorResponse(null, new RpcMethodError(RpcErrorCodes.invalidRequest, `a request must be under ${MAX_REQUEST_SIZE} bytes; send data through a channel`)));
      return;
    }
    void handleRequest(buffer.toString('utf8')).catch((error: unknown) => options.log(`bridge: ${String(error)}`));
  });
  socket.on('close', () => {
    abort.abort();
    for (const channel of channels.values()) channel.close();
    channels.clear();
  });
  socket.on('error', (error) => options.log(`bridge: connection error: ${error.message}`));
}

function parseRequest(text: string): RpcRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new RpcMethodError(RpcErrorCodes.parseError, 'the message is not valid JSON');
  }
  const m = message as Partial<RpcRequest>;
  if (typeof message !== 'object' || message === null || m.jsonrpc !== '2.0' || typeof m.method !== 'string' || (typeof m.id !== 'number' && typeof m.id !== 'string')) {
    throw new RpcMethodError(RpcErrorCodes.invalidRequest, 'expected a JSON-RPC 2.0 request: {"jsonrpc":"2.0","id":…,"method":"…","params":{…}}');
  }
  return m as RpcRequest;
}

function errorResponse(id: RpcRequest['id'] | null, error: unknown): RpcResponse {
  let rpcError: RpcError;
  if (error instanceof RpcMethodError) rpcError = { code: error.code, message: error.message };
  else {
    // The engine's errors carry Docker's status, so a client can tell "no such container" from a conflict.
    const api = toApiError(error);
    rpcError = { code: RpcErrorCodes.engineError, message: api.message, data: { status: api.status } };
  }
  return { jsonrpc: '2.0', id, error: rpcError };
}
