// The bridge's wire protocol, shared by the agent and its clients (the extension imports these
// types; this module imports nothing). One WebSocket carries:
//   - text frames: JSON-RPC 2.0 requests, responses and notifications;
//   - binary frames: data of multiplexed channels (logs, exec and attach streams; later file
//     transfers and forwarded ports), each frame `[u32 channel][u8 kind][payload]`, big-endian.
// Channels are opened by a request whose result names the channel; data then flows in binary
// frames under credit-based flow control: a sender may have at most the credit its peer granted
// in flight, and the receiver grants more (a CREDIT frame) as it consumes. The initial credit
// is CHANNEL_WINDOW, so a slow reader stops a fast producer instead of filling memory.

/** Bytes a sender may send on a new channel before the first CREDIT frame. */
export const CHANNEL_WINDOW = 256 * 1024;

/** The largest payload of one DATA frame; bigger writes are split. */
export const MAX_FRAME_PAYLOAD = 64 * 1024;

export const enum FrameKind {
  /** Output of the process (or the one stream of a TTY). */
  Stdout = 1,
  Stderr = 2,
  /** Client → agent: input for the process. */
  Stdin = 3,
  /** Payload: u32 more bytes the peer may send. */
  Credit = 4,
  /** No more data from this side (stdin closed, or the stream ended). */
  End = 5,
}

/** The subset of JSON-RPC 2.0 the bridge speaks. */
export interface RpcRequest {
  jsonrpc: '2.0';
  id: number | string;
  method: string;
  params?: unknown;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}

export interface RpcError {
  code: number;
  message: string;
  /** Docker's HTTP status for the same failure (404 no such container, 409 conflict, …). */
  data?: { status: number };
}

export type RpcResponse = { jsonrpc: '2.0'; id: number | string | null; result: unknown } | { jsonrpc: '2.0'; id: number | string | null; error: RpcError };

export const RpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The engine refused: see data.status and the message. */
  engineError: -32000,
} as const;

/** Notification: an engine event, in the shape of Docker's `/events` messages. */
export const EVENT_NOTIFICATION = 'engine.event';

/** Notification: a channel's stream ended; `exitCode` when a process ended, `error` when it failed. */
export const CHANNEL_CLOSED_NOTIFICATION = 'channel.closed';

export interface ChannelClosedParams {
  channel: number;
  exitCode?: number;
  error?: string;
}

/** Result of every request that opens a channel. */
export interface ChannelOpened {
  channel: number;
}
