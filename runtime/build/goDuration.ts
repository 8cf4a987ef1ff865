// Go's time.ParseDuration (HEALTHCHECK options) and the Duration.String() Docker prints in
// history text. Nanoseconds as numbers: exact up to 2^53 ns (104 days), plenty for intervals.

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds, or undefined when Go would reject the text. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s !== '') {
    const match = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
    if (!match || (match[1] === '' && (match[2] ?? '') === '')) return undefined;
    const unit = UNITS[match[3]];
    if (unit === undefined) return undefined;
    const whole = Number(match[1] || '0');
    const frac = match[2] ? Number(`0.${match[2]}`) : 0;
    total += Math.round((whole + frac) * unit);
    s = s.slice(match[0].length);
  }
  return sign * total;
}

/** Go's Duration.String(): `1h2m3.5s`, `500ms`, `0s`. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const negative = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    // Below one second Go picks ns, µs or ms with a fraction.
    const [unit, size] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${fraction(u, size)}${unit}`;
  } else {
    const hours = Math.floor(u / 3600e9);
    u -= hours * 3600e9;
    const minutes = Math.floor(u / 60e9);
    u -= minutes * 60e9;
    out = `${fraction(u, 1e9)}s`;
    if (hours > 0) out = `${hours}h${minutes}m${out}`;
    else if (minutes > 0) out = `${minutes}m${out}`;
  }
  return negative ? `-${out}` : out;
}

function fraction(value: number, size: number): string {
  const whole = Math.floor(value / size);
  const rest = value - whole * size;
  if (rest === 0) return String(whole);
  const digits = String(size).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
