// The embedded engine's volumes: Docker's rules (names, in-use conflicts, prune of unused
// volumes) over the volume store, with `volume` events. Which containers use a volume comes
// from the container side as a function, so neither service owns the other.
import { randomBytes } from 'node:crypto';
import type { VolumeRecord, VolumeStore } from '../volume/volumeStore';
import { volumeNameProblem } from '../volume/volumeName';
import type { CreateVolumeOptions, VolumeEngine, VolumeInfo } from './engine';
import { EngineError } from './engineError';
import type { EngineEvents } from './events';

export class VolumeService implements VolumeEngine {
  constructor(
    private readonly store: VolumeStore,
    private readonly events: EngineEvents,
    private readonly users: (name: string) => string[],
  ) {}

  private info(record: VolumeRecord): VolumeInfo {
    return { ...record, mountpoint: this.store.dataPath(record.name) };
  }

  dataPath(name: string): string {
    return this.store.dataPath(name);
  }

  isEmpty(name: string): Promise<boolean> {
    return this.store.isEmpty(name);
  }

  async create(options: CreateVolumeOptions): Promise<VolumeInfo> {
    if (options.driver !== undefined && options.driver !== '' && options.driver !== 'local') {
      throw new EngineError('not-found', `error looking up volume plugin ${options.driver}: plugin "${options.driver}" not found; berth has only the local driver`);
    }
    if (options.driverOpts !== undefined && Object.keys(options.driverOpts).length > 0) {
      throw new EngineError('unsupported', `berth's local volumes take no driver options yet (got ${Object.keys(options.driverOpts).join(', ')}); remove --opt`);
    }
    const name = options.name === undefined || options.name === '' ? randomBytes(32).toString('hex') : options.name;
    const { record } = await this.ensure(name, { labels: options.labels ?? {}, anonymous: false });
    return this.info(record);
  }

  /** The volume `name`, created (and announced) if missing: what a container's mount uses. */
  async ensure(name: string, options: { labels: Record<string, string>; anonymous: boolean }): Promise<{ record: VolumeRecord; created: boolean }> {
    const problem = volumeNameProblem(name);
    if (problem !== undefined) throw new EngineError('invalid-argument', problem);
    const result = await this.store.create({ name, labels: options.labels, options: {}, anonymous: options.anonymous });
    if (result.created) this.events.emit({ type: 'volume', action: 'create', id: name, attributes: { driver: 'local' } });
    return result;
  }

  list(): VolumeInfo[] {
    return this.store.list().map((r) => this.info(r));
  }

  inspect(name: string): VolumeInfo {
    const record = this.store.get(name);
    if (record === undefined) throw new EngineError('not-found', `get ${name}: no such volume`);
    return this.info(record);
  }

  usedBy(name: string): string[] {
    return this.users(name);
  }

  /** `except`: a container that is going away and does not count as a user. */
  async remove(name: string, options: { force: boolean; except?: string }): Promise<void> {
    if (this.store.get(name) === undefined) {
      if (options.force) return;
      throw new EngineError('not-found', `get ${name}: no such volume`);
    }
    const users = this.users(name).filter((id) => id !== options.except);
    if (users.length > 0) throw new EngineError('conflict', `remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.store.remove(name);
    this.events.emit({ type: 'volume', action: 'destroy', id: name, attributes: { driver: 'local' } });
  }

  async prune(matches: (volume: VolumeInfo) => boolean): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const volume of this.list()) {
      if (this.users(volume.name).length > 0 || !matches(volume)) continue;
      const size = await this.store.size(volume.name);
      await this.remove(volume.name, { force: true });
      deleted.push(volume.name);
      spaceReclaimed += size;
    }
    return { deleted, spaceReclaimed };
  }

  /** Announces that a container mounted the volume (Docker's `volume mount` event). */
  mounted(name: string, attributes: Record<string, string>): void {
    this.events.emit({ type: 'volume', action: 'mount', id: name, attributes: { driver: 'local', ...attributes } });
  }
}
