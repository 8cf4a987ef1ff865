// The pipes conmon talks to its parent through: newline-ended JSON messages
// `{"data": N[, "message": "…"]}` on the sync pipe (_OCI_SYNCPIPE: the process's pid, then for an
// exec its exit code, or a negative number and the runtime's error) and the attach pipe
// (_OCI_ATTACHPIPE: `{"data": 0}` once the attach socket listens); the start pipe
// (_OCI_STARTPIPE) gets one byte per go-ahead.

export interface SyncMessage {
  data: number;
  message?: string;
}

export class ConmonPipeError extends Error {
  override name = 'ConmonPipeError';
}

/** Parses one line; throws when conmon sent something else. */
export function parseSyncMessage(line: string): SyncMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new ConmonPipeError(`conmon sent an unreadable message: ${line.slice(0, 200)}`);
  }
  const data = (parsed as { data?: unknown }).data;
  const message = (parsed as { message?: unknown }).message;
  if (typeof data !== 'number') throw new ConmonPipeError(`conmon sent a message without a number: ${line.slice(0, 200)}`);
  return typeof message === 'string' ? { data, message } : { data };
}

/**
 * Reads messages off a pipe, one per `next()`; `undefined` once the pipe has ended (conmon
 * exited, or closed its end).
 */
export class SyncPipeReader {
  private text = '';
  private ended = false;
  private readonly queue: SyncMessage[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.text += chunk;
      let newline: number;
      while ((newline = this.text.indexOf('\n')) >= 0) {
        const line = this.text.slice(0, newline);
        this.text = this.text.slice(newline + 1);
        if (line.trim() === '') continue;
        try {
          this.queue.push(parseSyncMessage(line));
        } catch (error) {
          this.failure ??= error as Error;
        }
      }
      this.wake?.();
    });
    const finish = (): void => {
      this.ended = true;
      this.wake?.();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  }

  async next(): Promise<SyncMessage | undefined> {
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
