// Image references, normalised the way Docker does (distribution/reference's
// ParseNormalizedNamed): `busybox` means `docker.io/library/busybox:latest`. Stored names are
// always the canonical form; the familiar form (`busybox:latest`) is for display only.
import { InvalidDigestError, parseDigest, type Digest } from './digest';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** Registry host, with port if any: `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  path: string;
  /** `domain/path`. */
  repository: string;
  /** `latest` when the input named neither a tag nor a digest. */
  tag?: string;
  digest?: Digest;
  /** The full form stored in the image index: `docker.io/library/busybox:latest`. */
  canonical: string;
  /** The short form Docker shows: `busybox:latest`, `user/app:1`, `127.0.0.1:5000/a/b:t`. */
  familiar: string;
}

export class InvalidReferenceError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid image reference ${JSON.stringify(input)}: ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

export function parseImageReference(input: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input.length === 0) fail('it is empty');

  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const digestText = rest.slice(at + 1);
    if (digestText.length === 0) fail('nothing follows "@"; expected a digest like sha256:<64 hex characters>');
    try {
      digest = parseDigest(digestText);
    } catch (error) {
      fail((error as InvalidDigestError).message);
    }
    rest = rest.slice(0, at);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag.length === 0) fail('the tag after ":" is empty');
    if (!TAG_RE.test(tag)) {
      fail(`tag ${JSON.stringify(tag)} is not valid: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`);
    }
  }

  if (rest.length === 0) fail('the repository name is empty');
  if (HEX64_RE.test(rest)) fail('a 64-character hex string is an image ID, not a repository name');
  const { domain, path } = splitDomain(rest);
  if (path.toLowerCase() !== path) fail(`repository name ${JSON.stringify(path)} must be lowercase`);
  if (!DOMAIN_RE.test(domain)) fail(`registry ${JSON.stringify(domain)} is not a valid host name with an optional numeric port`);
  for (const component of path.split('/')) {
    if (component.length === 0) fail(`repository name ${JSON.stringify(path)} has an empty path component`);
    if (!PATH_COMPONENT_RE.test(component)) {
      fail(`path component ${JSON.stringify(component)} is not valid: use lowercase letters and digits, separated by ".", "_", "__" or dashes`);
    }
  }
  const repository = `${domain}/${path}`;
  if (repository.length > NAME_TOTAL_LENGTH_MAX) fail(`the repository name is ${repository.length} characters; at most ${NAME_TOTAL_LENGTH_MAX} are allowed`);

  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  const suffix = `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  const reference: ImageReference = { domain, path, repository, canonical: repository + suffix, familiar: familiarRepository(domain, path) + suffix };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** `parseImageReference(input).canonical`: the key the image index stores. */
export function canonicalReference(input: string): string {
  return parseImageReference(input).canonical;
}

/** Docker's rule: the first component is a registry only if it looks like a host. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = name;
  } else {
    domain = first;
    path = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path;
  return { domain, path };
}

function familiarRepository(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${path}`;
  const short = path.startsWith(OFFICIAL_REPO_PREFIX) ? path.slice(OFFICIAL_REPO_PREFIX.length) : path;
  return short.includes('/') ? path : short;
}
