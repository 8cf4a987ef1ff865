// The one error type of the image commands (import, load, save, inspect). `code` lets the API
// layer pick a status (404 for 'not-found', 400 for the others); the message says what failed,
// on which input, and what to do about it.

export type ImageErrorCode =
  /** No image has this name or ID. */
  | 'not-found'
  /** A short ID matches more than one image. */
  | 'ambiguous'
  /** The archive or tar stream is malformed, inconsistent or hostile. */
  | 'invalid-archive'
  /** An image in the store is inconsistent (a name points at the wrong kind of document). */
  | 'invalid-image'
  /** Well-formed, but uses something berth cannot handle (zstd on this Node, xz, other platforms). */
  | 'unsupported';

export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
