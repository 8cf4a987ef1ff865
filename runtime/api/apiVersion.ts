// Which Docker Engine API versions berth speaks, and the check every versioned path passes.
// Advertising 1.41 makes Debian's 20.10 CLI and current CLIs (which negotiate down) agree.
import { ApiError } from './apiError';

export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.24';

const VERSION_PREFIX_RE = /^\/v([0-9]+)\.([0-9]+)(\/.*)$/;

export interface VersionedPath {
  /** The path without its `/v1.NN` prefix. */
  path: string;
  /** What the client asked for; the current version for a bare path. */
  version: string;
}

/** Strips and checks the version prefix; throws a 400 ApiError for a version out of range. */
export function splitVersion(rawPath: string): VersionedPath {
  const match = VERSION_PREFIX_RE.exec(rawPath);
  if (match === null) {
    if (/^\/v[^/]*\//.test(rawPath)) throw new ApiError(400, `malformed API version in ${JSON.stringify(rawPath)}: expected /v1.NN/…`);
    return { path: rawPath, version: API_VERSION };
  }
  const version = `${Number(match[1])}.${Number(match[2])}`;
  if (compareVersions(version, API_VERSION) > 0) {
    throw new ApiError(400, `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new ApiError(400, `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  return { path: match[3], version };
}

export function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}
