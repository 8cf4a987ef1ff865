// Query parameters, checked at the boundary: each getter either returns a well-formed value or
// throws a 400 that names the parameter and says what it should look like.
import { ApiError } from './apiError';

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['', '0', 'false', 'no', 'off', 'none']);
const MAX_FILTERS_LENGTH = 64 * 1024;

/** `filters` as Docker sends it, normalised: filter name → the values given for it. */
export type Filters = Map<string, string[]>;

export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A value that must be present and non-empty. */
  required(name: string): string {
    const value = this.params.get(name);
    if (value === null || value === '') throw new ApiError(400, `the query parameter "${name}" is required`);
    return value;
  }

  all(name: string): string[] {
    return this.params.getAll(name);
  }

  /** Docker's booleans: 1/true/yes or 0/false/no/empty; absent means `fallback`. */
  bool(name: string, fallback = false): boolean {
    const value = this.params.get(name);
    if (value === null) return fallback;
    const lower = value.toLowerCase();
    if (TRUE_VALUES.has(lower)) return true;
    if (FALSE_VALUES.has(lower)) return false;
    throw new ApiError(400, `the query parameter "${name}" must be a boolean (1, 0, true or false), got ${JSON.stringify(value)}`);
  }

  /**
   * `filters={"reference":{"busybox":true}}` (or the older `{"reference":["busybox"]}`); only the
   * names in `allowed` are accepted.
   */
  filters(allowed: readonly string[]): Filters {
    const out: Filters = new Map();
    const text = this.params.get('filters');
    if (text === null || text === '') return out;
    if (text.length > MAX_FILTERS_LENGTH) throw new ApiError(400, `the "filters" parameter is ${text.length} characters, over the ${MAX_FILTERS_LENGTH} limit`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(400, `invalid filter: "filters" must be a JSON object such as {"reference":{"busybox":true}}, got ${JSON.stringify(text.slice(0, 100))}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'invalid filter: "filters" must be a JSON object');
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!allowed.includes(key)) throw new ApiError(400, `invalid filter '${key}'; berth supports ${allowed.map((a) => `'${a}'`).join(', ')} here`);
      let values: unknown[];
      if (Array.isArray(value)) values = value;
      else if (typeof value === 'object' && value !== null) values = Object.entries(value).filter(([, on]) => on === true).map(([v]) => v);
      else throw new ApiError(400, `invalid filter '${key}': expected an object of values, got ${JSON.stringify(value)}`);
      if (!values.every((v): v is string => typeof v === 'string')) throw new ApiError(400, `invalid filter '${key}': values must be strings`);
      out.set(key, values);
    }
    return out;
  }
}

/** One boolean filter such as `dangling=true`; undefined when absent. */
export function booleanFilter(filters: Filters, name: string): boolean | undefined {
  const values = filters.get(name);
  if (values === undefined || values.length === 0) return undefined;
  const distinct = new Set(values.map((v) => v.toLowerCase()));
  if (distinct.size > 1) throw new ApiError(400, `invalid filter '${name}': give one value, true or false`);
  const [value] = distinct;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ApiError(400, `invalid filter '${name}=${value}': the value must be true or false`);
}
