// `GET /events?since&until&filters`: the engine's events in Docker's JSON, one per line, flushed
// as they happen. `since` replays buffered events; `until` ends the stream at that moment.
import { ApiError } from './apiError';
import type { EngineEvent } from '../engine/events';
import type { HandlerContext } from './handler';
import type { Filters } from './queryParams';

const TIMESTAMP_RE = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?$/;

/** Docker's timestamps as the CLI sends them: unix seconds, optionally with a fraction. */
export function parseTimestamp(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  const match = TIMESTAMP_RE.exec(value);
  if (match === null) throw new ApiError(400, `the query parameter "${name}" must be a unix timestamp in seconds (e.g. 1700000000.5), got ${JSON.stringify(value)}`);
  return BigInt(match[1]) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Docker's event JSON; timeNano is written as an exact integer (it exceeds 2^53). */
export function dockerEventJson(event: EngineEvent): string {
  const body = JSON.stringify({
    status: event.action,
    id: event.id,
    Type: event.type,
    Action: event.action,
    Actor: { ID: event.id, Attributes: event.attributes },
    scope: 'local',
  });
  return `${body.slice(0, -1)},"time":${event.timeNano / 1_000_000_000n},"timeNano":${event.timeNano}}`;
}

export function eventMatches(event: EngineEvent, filters: Filters): boolean {
  const allow = (key: string, value: (v: string) => boolean): boolean => {
    const wanted = filters.get(key);
    return wanted === undefined || wanted.length === 0 || wanted.some(value);
  };
  return (
    allow('type', (v) => v === event.type) &&
    allow('event', (v) => v === event.action) &&
    allow('image', (v) => (event.type === 'image' ? v === event.id || v === event.attributes.name || `sha256:${v}` === event.id : v === event.attributes.image)) &&
    allow('container', (v) => event.type === 'container' && (event.id.startsWith(v) || v === event.attributes.name)) &&
    allow('scope', (v) => v === 'local')
  );
}

export async function streamEvents({ res, query, engine, closing }: HandlerContext): Promise<void> {
  const filters = query.filters(['type', 'event', 'image', 'container', 'scope']);
  const since = parseTimestamp('since', query.string('since'));
  const until = parseTimestamp('until', query.string('until'));
  if (since !== undefined && until !== undefined && until < since) throw new ApiError(400, '"until" is before "since"; nothing can match');

  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const send = (event: EngineEvent): void => {
    if (until !== undefined && event.timeNano > until) return;
    if (eventMatches(event, filters) && !res.writableEnded) res.write(dockerEventJson(event) + '\n');
  };
  if (since !== undefined) for (const event of engine.events.since(since)) send(event);

  const nowNano = BigInt(Date.now()) * 1_000_000n;
  if (until !== undefined && until <= nowNano) {
    res.end();
    return;
  }
  const unsubscribe = engine.events.subscribe(send);
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      unsubscribe();
      closing.removeEventListener('abort', finish);
      if (!res.writableEnded) res.end();
      resolve();
    };
    const timer = until === undefined ? undefined : setTimeout(finish, Number((until - nowNano) / 1_000_000n) + 1);
    res.on('close', finish);
    closing.addEventListener('abort', finish);
  });
}
