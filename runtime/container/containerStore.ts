// Containers on disk: `<root>/containers/<id>/state.json` per container, written atomically, so
// a crash leaves either the old or the new record. The directory also holds the OCI bundle and
// the log. Names are unique; lookups take a full ID, a unique ID prefix or a name.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/atomicFile';
import { EngineError } from '../engine/engineError';
import type { ContainerRecord } from './containerConfig';

const ID_RE = /^[0-9a-f]{64}$/;

export class ContainerStore {
  private readonly records = new Map<string, ContainerRecord>();

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<ContainerStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new ContainerStore(dir);
    for (const id of await readdir(dir)) {
      if (!ID_RE.test(id)) continue;
      try {
        const record = JSON.parse(await readFile(join(dir, id, 'state.json'), 'utf8')) as ContainerRecord;
        store.records.set(id, record);
      } catch {
        // A container whose record never got written (crash during create): nothing to keep.
        await rm(join(dir, id), { recursive: true, force: true });
      }
    }
    return store;
  }

  containerDir(id: string): string {
    return join(this.dir, id);
  }

  list(): ContainerRecord[] {
    return [...this.records.values()];
  }

  /** Throws EngineError 'not-found' as Docker words it. */
  get(ref: string): ContainerRecord {
    const found = this.find(ref);
    if (found === undefined) throw new EngineError('not-found', `No such container: ${ref}`);
    return found;
  }

  find(ref: string): ContainerRecord | undefined {
    const exact = this.records.get(ref);
    if (exact !== undefined) return exact;
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    for (const record of this.records.values()) if (record.name === name) return record;
    if (/^[0-9a-f]+$/.test(ref)) {
      const matches = [...this.records.values()].filter((r) => r.id.startsWith(ref));
      if (matches.length > 1) throw new EngineError('invalid-argument', `multiple IDs found with provided prefix: ${ref}`);
      return matches[0];
    }
    return undefined;
  }

  nameInUse(name: string): ContainerRecord | undefined {
    for (const record of this.records.values()) if (record.name === name) return record;
    return undefined;
  }

  async save(record: ContainerRecord): Promise<void> {
    await mkdir(this.containerDir(record.id), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(join(this.containerDir(record.id), 'state.json'), record);
    this.records.set(record.id, record);
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
    await rm(this.containerDir(id), { recursive: true, force: true });
  }
}
