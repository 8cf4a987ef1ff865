// Encoding of the bridge's binary frames: `[u32 channel][u8 kind][payload]`, big-endian. Pure.
import { FrameKind } from './protocol';

export interface ChannelFrame {
  channel: number;
  kind: FrameKind;
  payload: Buffer;
}

const HEADER = 5;

export function encodeFrame(channel: number, kind: FrameKind, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32BE(channel, 0);
  frame.writeUInt8(kind, 4);
  frame.set(payload, HEADER);
  return frame;
}

export function encodeCredit(channel: number, bytes: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(bytes, 0);
  return encodeFrame(channel, FrameKind.Credit, payload);
}

/** Throws a message naming what is wrong with a frame the peer sent. */
export function decodeFrame(data: Buffer): ChannelFrame {
  if (data.length < HEADER) throw new Error(`a binary frame must have a ${HEADER}-byte header, got ${data.length} bytes`);
  const kind = data.readUInt8(4);
  if (kind < FrameKind.Stdout || kind > FrameKind.End) throw new Error(`unknown frame kind ${kind}`);
  const payload = data.subarray(HEADER);
  if (kind === FrameKind.Credit && payload.length !== 4) throw new Error(`a credit frame carries 4 bytes, got ${payload.length}`);
  return { channel: data.readUInt32BE(0), kind, payload };
}

export function creditOf(frame: ChannelFrame): number {
  return frame.payload.readUInt32BE(0);
}
