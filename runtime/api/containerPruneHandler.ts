// `POST /containers/prune?filters` (until, label, label!): removes every container that is not
// running and matches, and answers `{ContainersDeleted, SpaceReclaimed}` as Docker does.
import { ApiError } from './apiError';
import type { HandlerContext } from './handler';
import { labelFilterMatches } from './labelFilter';
import { sendJson } from './responses';

const DURATION_RE = /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Docker's `until`: a Go duration before now (`10m`, `1h30m`), unix seconds (`1700000000.5`)
 * or a date (`2026-11-30T12:00:00Z`); as milliseconds since the epoch.
 */
export function parseUntil(value: string, now: number = Date.now()): number {
  if (DURATION_RE.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(amount) * UNIT_MS[unit];
    return now - ms;
  }
  if (/^[0-9]+(?:\.[0-9]+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw new ApiError(400, `invalid filter 'until=${value}': give a duration (10m, 24h), unix seconds or a date (2026-11-30T12:00:00Z)`);
  return date;
}

export async function pruneContainers({ res, query, engine }: HandlerContext): Promise<void> {
  const filters = query.filters(['until', 'label', 'label!']);
  const untils = (filters.get('until') ?? []).map((u) => parseUntil(u));
  if (untils.length > 1) throw new ApiError(400, 'invalid filter: give "until" once');
  const until = untils[0];
  const { deleted, spaceReclaimed } = await engine.containers.prune(
    (record) =>
      (until === undefined || Date.parse(record.created) < until) &&
      labelFilterMatches(record.config.labels, filters.get('label') ?? [], filters.get('label!') ?? []),
  );
  sendJson(res, 200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: spaceReclaimed });
}
