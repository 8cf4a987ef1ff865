// The one error type of the content store. `code` lets callers react (a registry client retries
// on 'digest-mismatch', `berth images` reports 'not-found'); the message says what to do.
import type { Digest } from './digest';

export type BlobErrorCode =
  /** The blob is not in the store. */
  | 'not-found'
  /** Ingested bytes hash to something other than the expected digest. */
  | 'digest-mismatch'
  /** Ingested bytes are more or fewer than the expected size. */
  | 'size-mismatch'
  /** A read refused a blob over the caller's size cap. */
  | 'too-large'
  /** A stored blob no longer hashes to its name: disk corruption or tampering. */
  | 'corrupt'
  /** The caller passed something the store cannot use (a string chunk, a bad size). */
  | 'bad-input';

export class BlobError extends Error {
  constructor(
    readonly code: BlobErrorCode,
    message: string,
    readonly digest?: Digest,
  ) {
    super(message);
    this.name = 'BlobError';
  }
}

export function corruptBlobError(expected: Digest, path: string, actual: Digest): BlobError {
  return new BlobError(
    'corrupt',
    `blob ${expected} is corrupt: the file ${path} hashes to ${actual} (disk corruption or something wrote to it). ` +
      'Delete the file and pull or build the image that uses it again; `berth gc` then clears what nothing references.',
    expected,
  );
}
