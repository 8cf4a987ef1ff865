// Small validation rules the classic builder applies to metadata values: EXPOSE port specs
// (docker/go-connections nat.ParsePortSpecs) and STOPSIGNAL names (moby pkg/signal), plus the
// shape of a history entry.
import { BuildError } from './buildError';
import type { HistoryEntry } from '../store/imageConfig';

export function historyEntry(createdBy: string, author: string | undefined, emptyLayer: boolean): HistoryEntry {
  const entry: HistoryEntry = {};
  if (author) entry.author = author;
  entry.created_by = createdBy;
  if (emptyLayer) entry.empty_layer = true;
  return entry;
}

/**
 * `ExposedPorts` keys for EXPOSE words: `80` → `80/tcp`, `53/UDP` → `53/udp`, ranges
 * `8000-8001` → one key per port, and `[ip:][hostPort:]port[/proto]` accepted as Docker does
 * (only the container port counts).
 */
export function parseExposedPorts(words: readonly string[], line: number): string[] {
  const keys: string[] = [];
  for (const word of words) {
    const slash = word.lastIndexOf('/');
    let proto = 'tcp';
    let spec = word;
    if (slash >= 0) {
      if (word.slice(slash + 1) !== '') proto = word.slice(slash + 1).toLowerCase();
      spec = word.slice(0, slash);
    }
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new BuildError(line, `EXPOSE ${word}: invalid proto: ${proto} (use tcp, udp or sctp)`);
    const parts = spec.split(':');
    const containerPort = parts[parts.length - 1];
    if (parts.length > 3 && !spec.startsWith('[')) throw new BuildError(line, `EXPOSE ${word}: invalid port format; write PORT[/PROTO] or START-END[/PROTO]`);
    const range = /^(\d+)(?:-(\d+))?$/.exec(containerPort);
    if (!range) throw new BuildError(line, `EXPOSE ${word}: invalid containerPort: ${containerPort}`);
    const start = Number(range[1]);
    const end = range[2] === undefined ? start : Number(range[2]);
    if (start > 65535 || end > 65535) throw new BuildError(line, `EXPOSE ${word}: invalid containerPort: ${containerPort} (ports go up to 65535)`);
    if (end < start) throw new BuildError(line, `EXPOSE ${word}: invalid range specified for container port: ${containerPort}`);
    for (let p = start; p <= end; p++) keys.push(`${p}/${proto}`);
  }
  return keys;
}

const SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL',
  'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1',
  'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
]);

/** A signal number (not 0) or a name with or without `SIG`, any case; kept as written. */
export function validateStopSignal(signal: string, line: number): void {
  if (/^[+-]?\d+$/.test(signal)) {
    if (Number(signal) !== 0) return;
  } else if (SIGNALS.has(signal.toUpperCase().replace(/^SIG/, ''))) return;
  throw new BuildError(line, `Invalid signal: ${signal} (use a name such as SIGTERM or SIGQUIT, or a number)`);
}
