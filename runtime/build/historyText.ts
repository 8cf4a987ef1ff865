// The `created_by` text of history entries, byte for byte as dockerd 20.10's classic builder
// writes it. It is the container config's Cmd joined with spaces, where metadata steps use
// `SHELL + ["#(nop) ", "CMD …"]` (hence two spaces after `#(nop)`), WORKDIR and COPY/ADD use
// `SHELL + ["#(nop) WORKDIR …"]` (one space), and RUN uses its command, prefixed with
// `|N K=V …` when build args are visible. The argument texts come from Go's fmt verbs
// (`%q` of a []string, `%q` of a *HealthConfig, `%v` of a []string), reproduced here.
import { formatGoDuration } from './goDuration';
import type { HealthcheckSpec } from './instructions';
import { goQuote } from './substitution';

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

export function shellOf(shell: readonly string[] | undefined): readonly string[] {
  return shell && shell.length > 0 ? shell : DEFAULT_SHELL;
}

/** Metadata steps: `/bin/sh -c #(nop)  ENV A=b`. */
export function nopHistory(shell: readonly string[] | undefined, comment: string): string {
  return [...shellOf(shell), '#(nop) ', comment].join(' ');
}

/** WORKDIR, COPY and ADD: `/bin/sh -c #(nop) WORKDIR /app`. */
export function nopStringHistory(shell: readonly string[] | undefined, comment: string): string {
  return [...shellOf(shell), `#(nop) ${comment}`].join(' ');
}

/** Go's `%q` of a []string: `["a" "b c"]`; a nil or empty slice is `[]`. */
export function goQuoteSlice(values: readonly string[] | undefined): string {
  return `[${(values ?? []).map(goQuote).join(' ')}]`;
}

/** Go's `%v` of a []string: `[a b c]`. */
export function goSlice(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** Go's `%q` of an int: the quoted rune, so retries=3 prints as '\x03'. */
export function goQuoteRune(value: number): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  if (named[value] !== undefined) return `'${named[value]}'`;
  if (value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return "'�'";
  if (value < 0x20 || value === 0x7f) return `'\\x${value.toString(16).padStart(2, '0')}'`;
  const ch = String.fromCodePoint(value);
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) return `'${ch}'`;
  return value <= 0xffff ? `'\\u${value.toString(16).padStart(4, '0')}'` : `'\\U${value.toString(16).padStart(8, '0')}'`;
}

/** `HEALTHCHECK %q` of the *HealthConfig: `&{["CMD-SHELL" "x"] "5s" "0s" "0s" '\x02'}`. */
export function healthcheckComment(health: HealthcheckSpec | 'NONE'): string {
  const h = health === 'NONE' ? { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, retries: 0 } : health;
  const d = (ns: number): string => goQuote(formatGoDuration(ns));
  return `HEALTHCHECK &{${goQuoteSlice(h.test)} ${d(h.interval)} ${d(h.timeout)} ${d(h.startPeriod)} ${goQuoteRune(h.retries)}}`;
}

/**
 * RUN: the command, prefixed with `|N K=V …` (sorted) when build args are visible to it.
 * The prefix appears whenever any arg is visible, even if all of them are unreferenced
 * proxy args, which then leaves `|0`.
 */
export function runHistory(cmd: readonly string[], visibleArgs: readonly string[], keep: (key: string) => boolean): string[] {
  if (visibleArgs.length === 0) return [...cmd];
  const shown = visibleArgs.filter((kv) => keep(kv.slice(0, kv.indexOf('=')))).sort();
  return [`|${shown.length}`, ...shown, ...cmd];
}
