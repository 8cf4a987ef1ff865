// Reading conmon's k8s-file log: one record per line, `<RFC3339Nano time> <stdout|stderr>
// <F|P> <bytes>`, F ending a line and P a partial chunk (no newline). `readLog` yields records
// oldest first and, when following, waits for the file to grow (fs.watch on its directory, which
// also sees the file appear) until `done` settles; then it drains what is left and ends.
import { watch } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  stream: LogStream;
  /** Docker's form: `2026-11-28T02:50:45.566910460Z`. */
  time: string;
  /** Nanoseconds since the epoch, for since/until. */
  timeNano: bigint;
  data: Buffer;
}

const LINE_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d) (stdout|stderr) ([FP]) /;

/** One log line (without its newline), or undefined when it is not a log record. */
export function parseLogLine(line: Buffer): LogRecord | undefined {
  const head = line.subarray(0, 64).toString('latin1');
  const match = LINE_RE.exec(head);
  if (match === null) return undefined;
  const [prefix, seconds, fraction = '', zone, stream, kind] = match;
  const ms = Date.parse(`${seconds}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const digits = fraction.slice(1).padEnd(9, '0');
  const time = `${new Date(ms).toISOString().slice(0, 19)}.${digits}Z`;
  const timeNano = BigInt(ms) * 1_000_000n + BigInt(digits);
  const body = line.subarray(Buffer.byteLength(prefix, 'latin1'));
  const data = kind === 'F' ? Buffer.concat([body, Buffer.from('\n')]) : Buffer.from(body);
  return { stream: stream as LogStream, time, timeNano, data };
}

export interface ReadLogOptions {
  /** Keep reading as the file grows until `done` settles. */
  follow: boolean;
  done?: Promise<unknown>;
  /** Only the last N records already in the file (new ones all follow). */
  tail?: number;
  /** Stops following early (the client went away). */
  signal?: AbortSignal;
}

export async function* readLog(path: string, options: ReadLogOptions): AsyncGenerator<LogRecord> {
  let wake: (() => void) | undefined;
  let changed = true;
  const notify = (): void => {
    changed = true;
    wake?.();
  };
  let finished = !options.follow;
  options.done?.then(
    () => ((finished = true), notify()),
    () => ((finished = true), notify()),
  );
  options.signal?.addEventListener('abort', notify);
  const watcher = options.follow ? watch(dirname(path), (_event, name) => (name === null || name === basename(path) ? notify() : undefined)) : undefined;
  let handle: FileHandle | undefined;
  let position = 0;
  let pending = Buffer.alloc(0);
  let first = true;
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      const wasFinished = finished;
      changed = false;
      handle ??= await open(path, 'r').catch(() => undefined);
      // Records are yielded as each chunk is parsed, so a slow consumer keeps this reader (and
      // its memory) to one chunk; only a first pass with `tail` holds its last N records.
      const tailing = first && options.tail !== undefined;
      const last: LogRecord[] = [];
      if (handle !== undefined) {
        const chunk = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          pending = pending.length === 0 ? Buffer.from(chunk.subarray(0, bytesRead)) : Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
          let newline: number;
          while ((newline = pending.indexOf(0x0a)) >= 0) {
            const record = parseLogLine(pending.subarray(0, newline));
            pending = pending.subarray(newline + 1);
            if (record === undefined) continue;
            if (!tailing) yield record;
            else if (options.tail! > 0) {
              last.push(record);
              if (last.length > options.tail!) last.shift();
            }
          }
          if (options.signal?.aborted) return;
        }
      }
      if (tailing) for (const record of last) yield record;
      if (options.tail === undefined || handle !== undefined) first = false;
      // Finished before this pass began: the pass drained everything there is.
      if (wasFinished) return;
      if (!changed && !finished) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    watcher?.close();
    options.signal?.removeEventListener('abort', notify);
    await handle?.close();
  }
}

/** Docker's multiplexed stream frame: `[type,0,0,0,size uint32 BE]` + payload (1 stdout, 2 stderr). */
export function streamFrame(stream: LogStream, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}
