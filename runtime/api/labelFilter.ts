// Docker's `label` and `label!` filters: `key` (present) or `key=value` (equal), every one of
// `label` must hold and none of `label!`.

function holds(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  return eq < 0 ? Object.hasOwn(labels, filter) : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export function labelFilterMatches(labels: Record<string, string>, wanted: readonly string[], unwanted: readonly string[]): boolean {
  return wanted.every((f) => holds(labels, f)) && !unwanted.some((f) => holds(labels, f));
}
