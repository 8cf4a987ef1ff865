// Atomic, durable file replacement: readers see either the old file or the new one, never a
// half-written one, and once the promise resolves the new content survives a power cut.
// The recipe: write a uniquely named temp file, fsync it, rename it over the target (rename is
// atomic within one filesystem), then fsync the directory so the rename itself is on disk.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of a newly created file (default 0o644). */
  mode?: number;
  /**
   * Where the temp file goes (default: the target's directory). It must be on the same
   * filesystem as the target, or the rename fails with EXDEV. The image index puts its temp
   * files in the layout's ingest/ directory so every crash left-over is in one place.
   */
  tempDir?: string;
}

/** A fresh temp path for `target`; the name starts with a dot and ends in `.tmp`. */
export function tempPathFor(target: string, tempDir?: string): string {
  const unique = `${process.pid}-${randomBytes(8).toString('hex')}`;
  return join(tempDir ?? dirname(target), `.${basename(target)}.${unique}.tmp`);
}

export async function writeFileAtomic(target: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(target, options.tempDir);
  try {
    // 'wx' fails if the name exists, so two writers can never share a temp file.
    const handle = await open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(dirname(target));
}

/** Writes `value` as JSON (with a trailing newline) atomically. */
export async function writeJsonAtomic(target: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`cannot write ${target}: the value has no JSON form`);
  await writeFileAtomic(target, `${text}\n`, options);
}

/** Makes the directory's entries (creations, renames, removals) durable. Linux and macOS. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
