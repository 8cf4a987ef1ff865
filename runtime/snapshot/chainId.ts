// OCI ChainIDs: a layer's identity together with everything below it, so one unpacked snapshot
// serves every image that shares the same stack of layers.
// ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).
import { createHash } from 'node:crypto';
import type { Digest } from '../store/digest';

export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const previous = out[out.length - 1];
    out.push(previous === undefined ? diffId : (`sha256:${createHash('sha256').update(`${previous} ${diffId}`).digest('hex')}` as Digest));
  }
  return out;
}
