// Picking one image out of a multi-platform index: the host's platform, among the manifests we
// actually have (a pull or an archive may hold only some of them).
import type { Descriptor, Platform } from '../store/descriptor';
import type { ImageIndexDocument } from '../store/manifest';
import { isManifestMediaType } from '../store/mediaTypes';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The platform berth runs images for: linux on this machine's architecture, in Go's names. */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: GOARCH[process.arch] ?? process.arch };
}

export function platformName(platform: Platform | undefined): string {
  if (platform === undefined) return 'unknown platform';
  return [platform.os, platform.architecture, platform.variant].filter((part) => part !== undefined && part !== '').join('/');
}

/**
 * The manifest for `wanted` among the index's entries that `available` accepts; undefined
 * when there is none. Entries without a platform (an index of one image) match anything, except
 * attestation manifests, which BuildKit marks with the platform unknown/unknown.
 */
export function selectPlatformManifest(index: ImageIndexDocument, available: (descriptor: Descriptor) => boolean, wanted: Platform = hostPlatform()): Descriptor | undefined {
  const candidates = index.manifests.filter((d) => isManifestMediaType(d.mediaType) && d.platform?.os !== 'unknown' && available(d));
  const exact = candidates.find((d) => d.platform?.os === wanted.os && d.platform.architecture === wanted.architecture && (wanted.variant === undefined || d.platform.variant === wanted.variant));
  if (exact !== undefined) return exact;
  return candidates.find((d) => d.platform === undefined);
}
