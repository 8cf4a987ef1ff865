// Progress of a pull or push, in Docker's vocabulary so the API can stream it unchanged as
// Docker's JSON progress (`{"status","id","progressDetail":{"current","total"}}`) and the CLI can
// draw the same lines `docker pull` draws. `id` is the short (12 hex) blob digest for per-layer
// lines and absent for whole-image lines.
import type { Digest } from '../store/digest';

export type PullLayerStatus = 'Pulling fs layer' | 'Waiting' | 'Downloading' | 'Verifying Checksum' | 'Download complete' | 'Pull complete' | 'Already exists';
export type PushLayerStatus = 'Preparing' | 'Waiting' | 'Pushing' | 'Pushed' | 'Layer already exists' | `Mounted from ${string}`;

export interface ProgressEvent {
  /** Short blob digest for layer lines; the tag for `Pulling from`; absent for image lines. */
  id?: string;
  /** `Downloading`, `Pull complete`, `Digest: sha256:…`, `Status: Downloaded newer image for x:t`, … */
  status: string;
  /** Bytes so far, for Downloading / Pushing. */
  current?: number;
  total?: number;
  /** The full digest of the blob a layer line is about. */
  digest?: Digest;
}

export type ProgressListener = (event: ProgressEvent) => void;

export function shortId(digest: Digest): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 12);
}

/**
 * Rate-limits byte counts so a fast transfer does not send thousands of lines: at most one
 * event per `step` bytes (and always the last).
 */
export function byteProgress(emit: ProgressListener, digest: Digest, status: 'Downloading' | 'Pushing', total: number): (current: number) => void {
  const step = Math.max(64 * 1024, Math.floor(total / 100));
  let last = -step;
  return (current) => {
    if (current - last < step && current !== total) return;
    last = current;
    emit({ id: shortId(digest), digest, status, current, total });
  };
}

/** One progress line as the Docker CLI prints it without a terminal, for logs and tests. */
export function formatProgress(event: ProgressEvent): string {
  const detail = event.current !== undefined && event.total !== undefined ? ` ${humanSize(event.current)}/${humanSize(event.total)}` : '';
  return event.id !== undefined ? `${event.id}: ${event.status}${detail}` : event.status;
}

/** Docker's units (decimal, 3 significant digits as go-units' HumanSizeWithPrecision): 1.5MB, 40MB, 12.3kB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}
