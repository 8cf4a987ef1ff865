// Runs tasks with at most `limit` at once (Docker pulls 3 layers at a time and pushes 5). The
// first failure aborts the others through the signal each task gets, and the call returns only
// after every started task has settled, so no download is still writing when the caller
// reports the failure (and cleans up).

export async function runBounded<T>(items: readonly T[], limit: number, task: (item: T, signal: AbortSignal) => Promise<void>, outer?: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted) controller.abort(outer.reason);
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !controller.signal.aborted) {
      const item = items[next++];
      try {
        await task(item, controller.signal);
      } catch (error) {
        firstError ??= { error };
        controller.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
  if (firstError !== undefined) throw firstError.error;
  if (outer?.aborted) throw outer.reason;
}
