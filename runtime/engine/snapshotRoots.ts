// Which layer snapshots are still needed: the ChainIDs of every stored image's layers and of
// every container's layers. A container keeps its snapshots even after its image is removed
// (`docker rmi -f` of a stopped container's image), since it can be started again.
import type { ContainerRecord } from '../container/containerConfig';
import { readCatalog } from '../image/imageInfo';
import { chainIds } from '../snapshot/chainId';
import type { ContentStore } from '../store/contentStore';
import type { Digest } from '../store/digest';
import type { ImageIndex } from '../store/imageIndex';

export async function snapshotRoots(store: ContentStore, index: ImageIndex, containers: readonly ContainerRecord[]): Promise<Digest[]> {
  const roots: Digest[] = [];
  for (const image of (await readCatalog(store, index)).images) roots.push(...chainIds(image.config.rootfs.diff_ids));
  for (const container of containers) roots.push(...chainIds(container.diffIds as Digest[]));
  return roots;
}
