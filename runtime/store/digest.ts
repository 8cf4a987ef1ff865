// Content digests. Every digest that reaches the store may come from the wire (a manifest, a
// registry header, a user's `name@sha256:…`), so it is parsed strictly before it is used to
// build a path: only `sha256:` followed by exactly 64 lowercase hex characters is accepted.
import { createHash } from 'node:crypto';

export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export class InvalidDigestError extends Error {
  constructor(
    readonly input: unknown,
    reason: string,
  ) {
    super(`invalid digest ${describe(input)}: ${reason}`);
    this.name = 'InvalidDigestError';
  }
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Checks an untrusted value and returns it as a Digest, or throws saying what is wrong with it. */
export function parseDigest(value: unknown): Digest {
  if (isDigest(value)) return value;
  throw new InvalidDigestError(value, reasonFor(value));
}

/** The 64 hex characters of a digest: the blob's file name in the layout. */
export function digestHex(digest: Digest): string {
  // Re-checked because a Digest can be forged with a cast, and the hex becomes a path.
  return parseDigest(digest).slice('sha256:'.length);
}

export function sha256Of(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function reasonFor(value: unknown): string {
  if (typeof value !== 'string') return `expected a string like "sha256:<64 hex characters>", got ${value === null ? 'null' : typeof value}`;
  const colon = value.indexOf(':');
  if (colon < 0) return 'expected "sha256:<64 hex characters>" (the algorithm prefix is missing)';
  const algorithm = value.slice(0, colon);
  const hex = value.slice(colon + 1);
  if (algorithm !== 'sha256') return `unsupported algorithm "${algorithm}": only sha256 is supported`;
  if (hex.length !== 64) return `a sha256 digest has 64 hex characters, this one has ${hex.length}`;
  if (/[A-F]/.test(hex) && /^[0-9a-fA-F]+$/.test(hex)) return 'hex characters must be lowercase';
  return 'the part after "sha256:" must be hex characters 0-9 a-f';
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}
