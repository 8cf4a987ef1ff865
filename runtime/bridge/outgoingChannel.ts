// The agent's sending half of a bridge channel, under credit-based flow control: it may have at
// most the credit the client granted in flight, so a client that stops reading stops the
// producer (the log reader, the process's output pipe) instead of making the agent buffer
// without bound. `write` resolves once the bytes are handed to the socket; producers await it.
import { encodeFrame } from './channelFrames';
import { CHANNEL_WINDOW, FrameKind, MAX_FRAME_PAYLOAD } from './protocol';

export type SendFrame = (frame: Buffer) => Promise<void>;

export class ChannelClosedError extends Error {
  constructor(channel: number) {
    super(`channel ${channel} is closed`);
    this.name = 'ChannelClosedError';
  }
}

export class OutgoingChannel {
  private credit: number;
  private waiter: (() => void) | undefined;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly send: SendFrame,
    window = CHANNEL_WINDOW,
  ) {
    this.credit = window;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `data` as one or more frames of `kind`, waiting for credit as needed. */
  async write(kind: FrameKind.Stdout | FrameKind.Stderr, data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      await this.creditAvailable();
      const size = Math.min(data.length - offset, this.credit, MAX_FRAME_PAYLOAD);
      this.credit -= size;
      await this.send(encodeFrame(this.id, kind, data.subarray(offset, offset + size)));
      offset += size;
    }
  }

  /** Tells the client no more data follows. */
  async end(): Promise<void> {
    if (this.closed) return;
    await this.send(encodeFrame(this.id, FrameKind.End));
  }

  /** The client consumed `bytes`: that much more may be sent. */
  grant(bytes: number): void {
    this.credit += bytes;
    this.wake();
  }

  /** Stops the channel: pending and later writes fail with ChannelClosedError. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private creditAvailable(): Promise<void> {
    if (this.closed) return Promise.reject(new ChannelClosedError(this.id));
    if (this.credit > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiter = () => {
        if (this.closed) reject(new ChannelClosedError(this.id));
        else if (this.credit > 0) resolve();
        else void this.creditAvailable().then(resolve, reject);
      };
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
