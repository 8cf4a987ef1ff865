// How image names are shown and how an image with no name is kept. The image index only lists
// entries that carry a name, and garbage collection keeps only what the index reaches, so an
// untagged image (Docker's `<none>:<none>`) is recorded under a reserved repository,
// `io.berth/untagged@<manifest digest>`: a valid reference, unique per manifest, and never a
// name a registry would give. Listings show it as untagged; tagging the image later may delete it.
import type { Digest } from '../store/digest';
import { parseImageReference } from '../store/references';

export const UNTAGGED_REPOSITORY = 'io.berth/untagged';

/** The index name that keeps an untagged image (by its manifest's digest) alive. */
export function untaggedName(manifestDigest: Digest): string {
  return `${UNTAGGED_REPOSITORY}@${manifestDigest}`;
}

export function isUntaggedName(canonical: string): boolean {
  return canonical.startsWith(`${UNTAGGED_REPOSITORY}@`);
}

/** Splits canonical index names into what Docker shows as RepoTags and RepoDigests (familiar form). */
export function displayNames(canonicalNames: Iterable<string>): { repoTags: string[]; repoDigests: string[] } {
  const repoTags: string[] = [];
  const repoDigests: string[] = [];
  for (const name of canonicalNames) {
    if (isUntaggedName(name)) continue;
    const reference = parseImageReference(name);
    if (reference.digest !== undefined) repoDigests.push(reference.familiar);
    else repoTags.push(reference.familiar);
  }
  return { repoTags, repoDigests };
}
