// Walks a tar stream entry by entry with tar-stream, with backpressure both ways: the source is
// read only as fast as entries are consumed, and a failure on either side stops the other.
import * as tar from 'tar-stream';
import { ImageError, errorMessage } from './imageError';

export type TarEntryVisitor = (header: tar.Header, body: AsyncIterable<Buffer>) => Promise<void>;

interface Failures {
  source?: Error;
  tar?: Error;
}

/**
 * Calls `visit` for each entry, in order; the next entry is read once `visit` resolves (any
 * body bytes it did not read are skipped). `what` names the stream in errors.
 */
export async function forEachTarEntry(source: AsyncIterable<Buffer>, what: string, visit: TarEntryVisitor): Promise<void> {
  const extract = tar.extract();
  const failures: Failures = {};
  extract.on('error', (error: Error) => {
    if (error !== failures.source) failures.tar ??= error;
  });
  const pumping = pump(source, extract, failures);
  let finished = false;
  try {
    for await (const entry of extract) {
      await visit(entry.header, entry as AsyncIterable<Buffer>);
      for await (const rest of entry as AsyncIterable<Buffer>) void rest;
    }
    finished = true;
  } catch (error) {
    // Source and tar errors can surface anywhere, even inside the visitor (as an error of an
    // entry's body), so they are told apart by where they started.
    if (failures.source !== undefined) {
      if (failures.source instanceof ImageError) throw failures.source;
      throw new ImageError('invalid-archive', `reading ${what} failed: ${errorMessage(failures.source)}`, { cause: failures.source });
    }
    if (failures.tar !== undefined) throw new ImageError('invalid-archive', `${what} is not a valid tar stream: ${errorMessage(failures.tar)}`, { cause: failures.tar });
    throw error;
  } finally {
    // On failure the pump stops at its next chunk; it is not awaited, since a source waiting
    // for data (a network upload) could keep it waiting: the caller closes such sources.
    if (!finished) extract.destroy();
    else await pumping;
  }
}

/** Never rejects: a source error is recorded and destroys the extractor, which ends the loop above. */
async function pump(source: AsyncIterable<Buffer>, extract: tar.Extract, failures: Failures): Promise<void> {
  try {
    for await (const chunk of source) {
      if (extract.destroying) return;
      if (!extract.write(chunk)) await drained(extract);
      if (extract.destroying) return;
    }
    extract.end(undefined);
  } catch (error) {
    failures.source = error instanceof Error ? error : new Error(String(error));
    extract.destroy(failures.source);
  }
}

function drained(extract: tar.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}
