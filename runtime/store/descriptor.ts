// OCI content descriptors: the (mediaType, digest, size) triple that points at a blob, plus the
// optional platform, urls and annotations. Parsed strictly because the digest becomes a path
// and the size becomes the cap on how much we download.
import { parseDigest, type Digest } from './digest';
import { isValidMediaType } from './mediaTypes';
import { asArray, asObject, asString, asNonNegativeInteger, optString, optStringArray, optStringMap, type Fail } from './untrustedJson';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export function parseDescriptor(value: unknown, field: string, fail: Fail): Descriptor {
  const object = asObject(value, field, fail);
  const mediaType = asString(object.mediaType, `${field}.mediaType`, fail);
  if (!isValidMediaType(mediaType)) fail(`${field}.mediaType`, `${JSON.stringify(mediaType)} is not a media type (type/subtype)`);
  let digest: Digest;
  try {
    digest = parseDigest(object.digest);
  } catch (error) {
    return fail(`${field}.digest`, (error as Error).message);
  }
  const descriptor: Descriptor = { mediaType, digest, size: asNonNegativeInteger(object.size, `${field}.size`, fail) };
  const urls = optStringArray(object.urls, `${field}.urls`, fail);
  if (urls !== undefined) descriptor.urls = urls;
  const annotations = optStringMap(object.annotations, `${field}.annotations`, fail);
  if (annotations !== undefined) descriptor.annotations = annotations;
  if (object.platform !== undefined && object.platform !== null) descriptor.platform = parsePlatform(object.platform, `${field}.platform`, fail);
  const artifactType = optString(object.artifactType, `${field}.artifactType`, fail);
  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  return descriptor;
}

export function parseDescriptors(value: unknown, field: string, fail: Fail): Descriptor[] {
  return asArray(value, field, fail).map((item, i) => parseDescriptor(item, `${field}[${i}]`, fail));
}

function parsePlatform(value: unknown, field: string, fail: Fail): Platform {
  const object = asObject(value, field, fail);
  const platform: Platform = {
    architecture: asString(object.architecture, `${field}.architecture`, fail),
    os: asString(object.os, `${field}.os`, fail),
  };
  const osVersion = optString(object['os.version'], `${field}["os.version"]`, fail);
  if (osVersion !== undefined) platform['os.version'] = osVersion;
  const osFeatures = optStringArray(object['os.features'], `${field}["os.features"]`, fail);
  if (osFeatures !== undefined) platform['os.features'] = osFeatures;
  const variant = optString(object.variant, `${field}.variant`, fail);
  if (variant !== undefined) platform.variant = variant;
  const features = optStringArray(object.features, `${field}.features`, fail);
  if (features !== undefined) platform.features = features;
  return platform;
}
