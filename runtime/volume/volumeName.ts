// Docker's rule for local volume names: a letter or digit, then at least one more of letters,
// digits, `_`, `.` or `-`. A name is also a directory under <root>/volumes, so the rule keeps
// it a single, harmless path component.

export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** undefined when valid; otherwise Docker's message, which also hints at host paths. */
export function volumeNameProblem(name: string): string | undefined {
  if (VOLUME_NAME_RE.test(name)) return undefined;
  return `create ${name}: ${JSON.stringify(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
}
