// Docker's rules for what a container runs and with which environment (moby's merge of the
// create config with the image config), as pure functions.

/**
 * Entrypoint and Cmd as dockerd combines them. A user Entrypoint replaces the image's and then
 * the image's Cmd no longer applies; `--entrypoint ""` (sent as `[""]`) clears the entrypoint.
 */
export function combineCommand(
  user: { entrypoint?: string[]; cmd?: string[] },
  image: { entrypoint?: string[]; cmd?: string[] },
): { entrypoint: string[]; cmd: string[] } {
  let entrypoint = user.entrypoint;
  let cmd = user.cmd ?? [];
  if (entrypoint === undefined || entrypoint.length === 0) {
    if (cmd.length === 0) cmd = image.cmd ?? [];
    if (entrypoint === undefined) entrypoint = image.entrypoint ?? [];
  }
  if (entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  return { entrypoint, cmd };
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The container's environment as dockerd builds it: PATH (default) and HOSTNAME first, then the
 * image's env, then the user's; a later KEY replaces an earlier one in place. HOME, when given
 * (from the user's passwd entry), is added if neither set it.
 */
export function mergeEnv(imageEnv: readonly string[], userEnv: readonly string[], hostname: string, home?: string): string[] {
  const order: string[] = [];
  const values = new Map<string, string>();
  const put = (entry: string): void => {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (!values.has(key)) order.push(key);
    values.set(key, entry);
  };
  put(`PATH=${DEFAULT_PATH}`);
  put(`HOSTNAME=${hostname}`);
  for (const e of imageEnv) put(e);
  for (const e of userEnv) put(e);
  if (home !== undefined && !values.has('HOME')) put(`HOME=${home}`);
  // A bare `KEY` (no "=") means "take it from the client's environment", which the CLI already did.
  return order.map((key) => values.get(key)!).filter((entry) => entry.includes('='));
}

export interface UserSpec {
  user: string;
  group?: string;
}

/** `name`, `uid`, `name:group`, `uid:gid`, … as `docker run -u` takes it. */
export function parseUser(text: string): UserSpec {
  if (text === '') return { user: '0' };
  const colon = text.indexOf(':');
  if (colon < 0) return { user: text };
  const user = text.slice(0, colon);
  const group = text.slice(colon + 1);
  if (user === '') throw new Error(`invalid user ${JSON.stringify(text)}: the user part before ":" is empty`);
  return group === '' ? { user } : { user, group };
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** From /etc/passwd; `/` when the user has no entry (as Docker). */
  home: string;
}

/**
 * Numeric ids for a user spec, reading names from the image's /etc/passwd and /etc/group
 * (their text, or undefined when the image has none). Numeric parts need no files.
 */
export function resolveUser(spec: UserSpec, passwd: string | undefined, group: string | undefined): ResolvedUser {
  const users = parseColonFile(passwd);
  const groups = parseColonFile(group);
  let uid: number;
  let gid = 0;
  let name: string | undefined;
  let home = '/';
  if (/^[0-9]+$/.test(spec.user)) {
    uid = Number(spec.user);
    const entry = users.find((u) => Number(u[2]) === uid);
    if (entry !== undefined) {
      gid = Number(entry[3]);
      name = entry[0];
      home = entry[5] ?? '/';
    }
  } else {
    const entry = users.find((u) => u[0] === spec.user);
    if (entry === undefined) throw new Error(`unable to find user ${spec.user}: no matching entries in the image's /etc/passwd`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    name = entry[0];
    home = entry[5] ?? '/';
  }
  if (spec.group !== undefined) {
    if (/^[0-9]+$/.test(spec.group)) gid = Number(spec.group);
    else {
      const entry = groups.find((g) => g[0] === spec.group);
      if (entry === undefined) throw new Error(`unable to find group ${spec.group}: no matching entries in the image's /etc/group`);
      gid = Number(entry[2]);
    }
  }
  const additionalGids =
    name === undefined
      ? []
      : groups
          .filter((g) => (g[3] ?? '').split(',').includes(name))
          .map((g) => Number(g[2]))
          .filter((g) => g !== gid);
  return { uid, gid, additionalGids, home: home === '' ? '/' : home };
}

function parseColonFile(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 3 && /^[0-9]+$/.test(fields[2]));
}
