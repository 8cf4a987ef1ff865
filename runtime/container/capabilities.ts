// Linux capabilities as `docker run --cap-add/--cap-drop/--privileged` set them (moby's
// oci/caps: NormalizeLegacyCapabilities and TweakCapabilities), as pure functions.
import { DEFAULT_CAPABILITIES } from './ociSpec';

/** Every capability by number (index = bit), as Linux 5.9+ defines them. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export class CapabilityError extends Error {
  override name = 'CapabilityError';
}

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` → `CAP_NET_ADMIN`; `all` → `ALL`. Throws on unknown names, as Docker words it. */
export function normalizeCapabilities(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    let name = raw.trim().toUpperCase();
    if (name !== 'ALL' && !name.startsWith('CAP_')) name = `CAP_${name}`;
    if (name !== 'ALL' && !(ALL_CAPABILITIES as readonly string[]).includes(name)) {
      throw new CapabilityError(`unknown capability: ${JSON.stringify(name)}; see capabilities(7) for the names (with or without CAP_), or use ALL`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The capability names set in a mask such as /proc/self/status's CapBnd (hex). */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}

/**
 * The container's capability set. `available` is what the agent itself may grant (its bounding
 * set): "all" (ALL, --privileged) means all of those; a named one outside it is an error, since
 * the runtime could not grant it.
 */
export function effectiveCapabilities(options: { add: readonly string[]; drop: readonly string[]; privileged: boolean }, available: readonly string[] = ALL_CAPABILITIES): string[] {
  if (options.privileged) return [...available];
  const add = normalizeCapabilities(options.add);
  const drop = normalizeCapabilities(options.drop);
  if (add.length === 0 && drop.length === 0) return DEFAULT_CAPABILITIES.filter((c) => available.includes(c));
  let caps: string[];
  if (add.includes('ALL')) caps = available.filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = [...add];
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  const missing = add.filter((c) => c !== 'ALL' && !available.includes(c));
  if (missing.length > 0) {
    throw new CapabilityError(`cannot add ${missing.join(', ')}: berth itself does not hold ${missing.length === 1 ? 'this capability' : 'these capabilities'} (its bounding set lacks ${missing.length === 1 ? 'it' : 'them'}), so no container can get ${missing.length === 1 ? 'it' : 'them'}; run berth with ${missing.length === 1 ? 'it' : 'them'} or remove --cap-add ${missing.join(' ')}`);
  }
  return [...new Set(caps)].filter((c) => available.includes(c));
}
