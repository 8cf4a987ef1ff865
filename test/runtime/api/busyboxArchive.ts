// A `docker save` archive of a busybox image, made with berth's own importRootfs and
// saveArchive in a scratch store (not through the agent under test), plus the rootfs tar.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { importRootfs } from '../../../runtime/image/importRootfs';
import { saveArchive } from '../../../runtime/image/saveArchive';
import { ContentStore } from '../../../runtime/store/contentStore';
import { ImageIndex } from '../../../runtime/store/imageIndex';
import { makeBusyboxRootfs } from '../image/busyboxRootfs';

export interface BusyboxArchive {
  /** `busybox:latest` in the Docker 25+ layout (OCI layout plus manifest.json). */
  archive: string;
  /** The image ID (config digest) the archive holds. */
  id: string;
  /** The root file system as a plain tar, for `docker import`. */
  rootfsTar: string;
}

export async function makeBusyboxArchive(dir: string): Promise<BusyboxArchive> {
  const rootfs = await makeBusyboxRootfs(join(dir, 'rootfs'));
  const rootfsTar = join(dir, 'rootfs.tar');
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-C', rootfs, '-cf', rootfsTar, '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
    tar.once('error', reject);
    tar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
  });
  const layout = join(dir, 'scratch-store');
  const store = await ContentStore.open(layout);
  const index = new ImageIndex(layout);
  const imported = await importRootfs(store, index, createReadStream(rootfsTar), 'busybox:latest');
  const archive = join(dir, 'busybox.tar');
  await pipeline(await saveArchive(store, index, ['busybox:latest']), createWriteStream(archive));
  return { archive, id: imported.id, rootfsTar };
}
