// Errors as the Docker API shows them: a status and `{"message": …}`. Errors of the layers below
// are mapped here, in one place, so handlers just throw.
import { EngineError } from '../engine/engineError';
import { ImageError } from '../image/imageError';
import { BlobError } from '../store/blobError';
import { ImageIndexError } from '../store/imageIndex';
import { InvalidReferenceError, parseImageReference } from '../store/references';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The status and message for any error a handler throws. `imageRef` is the image the request
 * named, so a not-found reads as Docker's `No such image: busybox:latest`.
 */
export function toApiError(error: unknown, imageRef?: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ImageError) {
    switch (error.code) {
      case 'not-found':
        return new ApiError(404, imageRef !== undefined ? `No such image: ${displayRef(imageRef)}` : error.message);
      case 'invalid-image':
        return new ApiError(500, error.message);
      default:
        return new ApiError(400, error.message);
    }
  }
  if (error instanceof EngineError) {
    const status = { 'not-found': 404, 'invalid-argument': 400, conflict: 409, unsupported: 400 }[error.code];
    return new ApiError(status, error.message);
  }
  if (error instanceof InvalidReferenceError) return new ApiError(400, error.message);
  if (error instanceof BlobError || error instanceof ImageIndexError) return new ApiError(500, error.message);
  return new ApiError(500, error instanceof Error ? error.message : String(error));
}

/** `busybox` → `busybox:latest`, as Docker names what it did not find; IDs stay as given. */
function displayRef(input: string): string {
  if (/^(?:sha256:)?[0-9a-f]{1,64}$/.test(input)) return input;
  try {
    return parseImageReference(input).familiar;
  } catch {
    return input;
  }
}
