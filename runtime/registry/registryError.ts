// The one error type of the registry client. `code` lets callers react (the API maps
// 'unauthorized' to 401 and 'not-found' to 404, a CLI suggests `berth login`); the message
// names the registry, the repository or digest, what went wrong and what to do.

export type RegistryErrorCode =
  /** The registry wants credentials we do not have, or refused the ones we sent. */
  | 'unauthorized'
  /** Authenticated, but not allowed (DENIED). */
  | 'denied'
  /** No such repository, tag, manifest or blob. */
  | 'not-found'
  /** The registry sent something that contradicts what we asked for (digest, size, media type). */
  | 'untrusted-content'
  /** The registry answered outside the protocol (unexpected status, missing header). */
  | 'protocol'
  /** Connection refused, reset, timed out, DNS failure. */
  | 'network'
  /** Plain HTTP to a host that is neither loopback nor listed as insecure. */
  | 'insecure'
  /** Well-formed, but something berth cannot handle (platform, layer type). */
  | 'unsupported'
  /** The caller cancelled (AbortSignal). */
  | 'aborted'
  /** Too many requests (TOOMANYREQUESTS / 429). */
  | 'rate-limited';

export interface RegistryErrorDetail {
  /** host[:port] as the user wrote it (`docker.io`, `127.0.0.1:5000`). */
  registry?: string;
  repository?: string;
  digest?: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** The registry's own error codes (`MANIFEST_UNKNOWN`, ...). */
  registryCodes?: string[];
}

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly detail: RegistryErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

export interface RegistryErrorBodyEntry {
  code: string;
  message: string;
}

/** Reads `{"errors":[{code,message,detail}]}` leniently: an unknown shape yields no entries. */
export function parseErrorBody(body: Uint8Array): RegistryErrorBodyEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return [];
  }
  const errors = (doc as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorBodyEntry[] = [];
  for (const item of errors.slice(0, 10)) {
    if (typeof item !== 'object' || item === null) continue;
    const { code, message } = item as { code?: unknown; message?: unknown };
    out.push({ code: typeof code === 'string' ? code : 'UNKNOWN', message: typeof message === 'string' ? message.slice(0, 500) : '' });
  }
  return out;
}

/** Picks our code from an HTTP status and the registry's error codes. */
export function codeForStatus(status: number, registryCodes: string[]): RegistryErrorCode {
  if (status === 401 || registryCodes.includes('UNAUTHORIZED')) return 'unauthorized';
  if (status === 403 || registryCodes.includes('DENIED')) return 'denied';
  if (status === 404 || registryCodes.some((c) => c.endsWith('_UNKNOWN'))) return 'not-found';
  if (status === 429 || registryCodes.includes('TOOMANYREQUESTS')) return 'rate-limited';
  return 'protocol';
}

/** What to tell the user to do for each code, appended to messages built from responses. */
export function adviceFor(code: RegistryErrorCode, registry: string): string {
  switch (code) {
    case 'unauthorized':
      return `log in first (\`berth login ${registry}\` or \`docker login ${registry}\`), or check the credentials in ~/.docker/config.json`;
    case 'denied':
      return 'the account has no access to this repository; check its name and your permissions';
    case 'not-found':
      return 'check the repository name and tag (they are case-sensitive and the image may not have been pushed)';
    case 'rate-limited':
      return 'the registry is limiting requests; wait and try again, or log in for a higher limit';
    default:
      return 'the registry may be misconfigured or not an OCI registry';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
