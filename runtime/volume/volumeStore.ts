// Local volumes on disk: `<root>/volumes/<name>/_data` (what containers mount) next to
// `<name>/volume.json` (name, creation time, labels). A volume appears whole or not at all: it
// is built in a `.staging-*` directory and renamed into place; removal renames it to
// `.trash-*` first. Left-overs of either are cleared at open (the root is locked, so nothing
// else is writing). The data directory's owner is container root through the id map, so
// rootless volumes need no change here.
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { identityIdMap, type IdMapper } from '../archive/idMap';
import { fsyncDirectory, writeJsonAtomic } from '../store/atomicFile';
import { diskUsage } from './diskUsage';
import { VOLUME_NAME_RE } from './volumeName';

export interface VolumeRecord {
  name: string;
  /** RFC 3339. */
  createdAt: string;
  labels: Record<string, string>;
  /** Driver options; the local driver takes none yet. */
  options: Record<string, string>;
  /** Made for one container (`-v /path`, VOLUME): `docker rm -v` removes it with the container. */
  anonymous: boolean;
}

const META = 'volume.json';
const DATA = '_data';

export class VolumeStore {
  private readonly records = new Map<string, VolumeRecord>();
  private readonly creating = new Map<string, Promise<VolumeRecord>>();

  private constructor(
    readonly dir: string,
    private readonly toHost: IdMapper,
  ) {}

  /** `toHost` maps container ids to host ids (idMap.ts): a new volume belongs to container root. */
  static async open(dir: string, toHost: IdMapper = identityIdMap): Promise<VolumeStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new VolumeStore(dir, toHost);
    for (const entry of await readdir(dir)) {
      if (entry.startsWith('.staging-') || entry.startsWith('.trash-')) {
        await rm(join(dir, entry), { recursive: true, force: true });
        continue;
      }
      if (!VOLUME_NAME_RE.test(entry)) continue;
      try {
        store.records.set(entry, parseRecord(await readFile(join(dir, entry, META), 'utf8'), entry));
      } catch (error) {
        // Never delete what may be user data: report it and leave it for the user to look at.
        process.stderr.write(`berth: volume ${entry} has no readable ${META} (${error instanceof Error ? error.message : String(error)}); it is not listed: move ${join(dir, entry)} away or write the file again\n`);
      }
    }
    return store;
  }

  /** The directory containers mount. */
  dataPath(name: string): string {
    return join(this.dir, name, DATA);
  }

  get(name: string): VolumeRecord | undefined {
    return this.records.get(name);
  }

  list(): VolumeRecord[] {
    return [...this.records.values()];
  }

  /**
   * Creates the volume; `created` is false (and nothing changes) when the name exists or another
   * create of it is under way (that one's result is returned).
   */
  async create(record: Omit<VolumeRecord, 'createdAt'>): Promise<{ record: VolumeRecord; created: boolean }> {
    if (!VOLUME_NAME_RE.test(record.name)) throw new Error(`invalid volume name ${JSON.stringify(record.name)}`);
    const existing = this.records.get(record.name);
    if (existing !== undefined) return { record: existing, created: false };
    const pending = this.creating.get(record.name);
    if (pending !== undefined) return { record: await pending, created: false };
    const work = this.createNow(record).finally(() => this.creating.delete(record.name));
    this.creating.set(record.name, work);
    return { record: await work, created: true };
  }

  private async createNow(record: Omit<VolumeRecord, 'createdAt'>): Promise<VolumeRecord> {
    const full: VolumeRecord = { ...record, createdAt: new Date().toISOString().replace(/\.[0-9]+Z$/, 'Z') };
    const staging = join(this.dir, `.staging-${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(join(staging, DATA), { recursive: true, mode: 0o755 });
      const owner = this.toHost(0, 0);
      if (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.()) await chown(join(staging, DATA), owner.uid, owner.gid);
      await writeJsonAtomic(join(staging, META), full);
      await rename(staging, join(this.dir, record.name));
      await fsyncDirectory(this.dir);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    this.records.set(record.name, full);
    return full;
  }

  /** Removes the volume and its data; fine when already gone. */
  async remove(name: string): Promise<void> {
    if (!this.records.has(name)) return;
    this.records.delete(name);
    const trash = join(this.dir, `.trash-${randomBytes(8).toString('hex')}`);
    await rename(join(this.dir, name), trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Whether the data directory has no entries. */
  async isEmpty(name: string): Promise<boolean> {
    return (await readdir(this.dataPath(name))).length === 0;
  }

  /** Bytes the volume's files take (apparent sizes), for prune's SpaceReclaimed. */
  async size(name: string): Promise<number> {
    return diskUsage(this.dataPath(name));
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** volume.json, checked: it is berth's own file, but a disk or a hand edit can break it. */
function parseRecord(text: string, name: string): VolumeRecord {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
  const { name: recorded, createdAt, labels, options, anonymous } = doc as Record<string, unknown>;
  if (recorded !== name) throw new Error(`it names volume ${JSON.stringify(recorded)}, not ${JSON.stringify(name)}`);
  if (typeof createdAt !== 'string' || !isStringMap(labels) || !isStringMap(options) || typeof anonymous !== 'boolean') {
    throw new Error('createdAt, labels, options or anonymous is missing or of the wrong type');
  }
  return { name, createdAt, labels, options, anonymous };
}
