// Errors of layer extraction. The core throws a LayerRejection that says what is wrong with
// which entry; the public functions add what happened to the target (atomic extraction
// leaves nothing behind, in-place flattening does not) and throw a LayerArchiveError.

/** What applyLayer and applyLayerInPlace throw: the problem, then what became of the target. */
export class LayerArchiveError extends Error {
  override name = 'LayerArchiveError';

  constructor(
    message: string,
    /** The tar entry name at fault, as written in the archive, when one entry is. */
    readonly entry: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Internal: a reason to reject the archive, without the outcome sentence. */
export class LayerRejection extends Error {
  override name = 'LayerRejection';

  constructor(
    readonly problem: string,
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
  }
}

/** Quotes an entry name for a message; JSON quoting keeps control characters visible. */
export function quoteName(name: string): string {
  return JSON.stringify(name);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns whatever the extraction threw into the public error, ending with `outcome`. */
export function toLayerArchiveError(err: unknown, outcome: string): LayerArchiveError {
  if (err instanceof LayerArchiveError) return err;
  if (err instanceof LayerRejection) {
    return new LayerArchiveError(`${err.problem}; ${outcome}`, err.entry, { cause: err.cause ?? err });
  }
  return new LayerArchiveError(`extracting the layer failed: ${errorMessage(err)}; ${outcome}`, undefined, { cause: err });
}
