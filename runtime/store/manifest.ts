// Image manifests and image indexes (OCI and Docker v2), and a validating parser for them.
// Manifests arrive from registries and archives, so the parser trusts nothing: it caps the size,
// insists that the media type it was fetched as agrees with the one inside the document and with
// the document's shape (a document with both `manifests` and `layers` could be read two ways,
// which is how "manifest confusion" attacks work), and checks every descriptor.
import { parseDescriptor, parseDescriptors, type Descriptor } from './descriptor';
import { isIndexMediaType, isManifestMediaType, mediaTypeOfContentType, MediaTypes } from './mediaTypes';
import { failFor, optString, optStringMap, parseJsonObject, typeName, type Fail, type JsonObject } from './untrustedJson';

/** Registries (distribution) refuse manifests over 4 MiB; so do we. */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndexDocument {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A parsed document together with the media type it was established to have. */
export type ParsedManifest =
  | { kind: 'index'; mediaType: string; index: ImageIndexDocument }
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest };

/**
 * Parses an untrusted manifest or index.
 * @param declaredMediaType the type the document was referenced or served as: the descriptor's
 *   mediaType, or a registry response's Content-Type (parameters are ignored). Optional.
 */
export function parseManifest(bytes: Uint8Array | string, declaredMediaType?: string): ParsedManifest {
  const fail = failFor('image manifest');
  const doc = parseJsonObject(bytes, MAX_MANIFEST_SIZE, fail);
  if (doc.schemaVersion !== 2) {
    fail('schemaVersion', `must be 2, got ${typeName(doc.schemaVersion)}${doc.schemaVersion === 1 ? ' (Docker schema 1 manifests are not supported; push the image again with a current client)' : ''}`);
  }
  const inner = optString(doc.mediaType, 'mediaType', fail);
  const declared = declaredMediaType === undefined ? undefined : mediaTypeOfContentType(declaredMediaType);
  if (inner !== undefined && declared !== undefined && inner !== declared) {
    fail('mediaType', `the document says ${inner} but it was fetched as ${declared}; refusing a document whose type is ambiguous`);
  }
  const hasManifests = doc.manifests !== undefined;
  const hasLayers = doc.layers !== undefined;
  const hasConfig = doc.config !== undefined;
  if (hasManifests && (hasLayers || hasConfig)) {
    fail('', `has both "manifests" and "${hasLayers ? 'layers' : 'config'}", so it could be read as an index or as a manifest; refusing it`);
  }
  const mediaType = inner ?? declared ?? inferMediaType(hasManifests, hasLayers || hasConfig, fail);
  if (isIndexMediaType(mediaType)) {
    if (hasLayers || hasConfig) fail(hasLayers ? 'layers' : 'config', `an index (${mediaType}) has no ${hasLayers ? 'layers' : 'config'}`);
    return { kind: 'index', mediaType, index: parseIndexFields(doc, fail) };
  }
  if (isManifestMediaType(mediaType)) {
    if (hasManifests) fail('manifests', `a manifest (${mediaType}) has no "manifests"`);
    return { kind: 'manifest', mediaType, manifest: parseManifestFields(doc, fail) };
  }
  return fail('mediaType', `unsupported media type ${mediaType}: expected one of ${[MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerManifestList, MediaTypes.dockerManifest].join(', ')}`);
}

/** The descriptors a document points at, for walking the graph (garbage collection, push). */
export function childDescriptors(parsed: ParsedManifest): Descriptor[] {
  const out = parsed.kind === 'index' ? [...parsed.index.manifests] : [parsed.manifest.config, ...parsed.manifest.layers];
  const subject = parsed.kind === 'index' ? parsed.index.subject : parsed.manifest.subject;
  if (subject !== undefined) out.push(subject);
  return out;
}

function inferMediaType(hasManifests: boolean, hasManifestFields: boolean, fail: Fail): string {
  // The OCI spec lets mediaType be absent; the shape then decides.
  if (hasManifests) return MediaTypes.ociIndex;
  if (hasManifestFields) return MediaTypes.ociManifest;
  return fail('', 'has no mediaType and neither "manifests" nor "config"/"layers": it is not an image manifest or index');
}

function parseManifestFields(doc: JsonObject, fail: Fail): ImageManifest {
  if (doc.config === undefined) fail('config', 'a manifest must have a config descriptor');
  if (doc.layers === undefined) fail('layers', 'a manifest must have a layers array (it may be empty)');
  const manifest: ImageManifest = {
    schemaVersion: 2,
    config: parseDescriptor(doc.config, 'config', fail),
    layers: parseDescriptors(doc.layers, 'layers', fail),
  };
  addCommonFields(manifest, doc, fail);
  return manifest;
}

function parseIndexFields(doc: JsonObject, fail: Fail): ImageIndexDocument {
  if (doc.manifests === undefined) fail('manifests', 'an index must have a manifests array');
  const index: ImageIndexDocument = { schemaVersion: 2, manifests: parseDescriptors(doc.manifests, 'manifests', fail) };
  addCommonFields(index, doc, fail);
  return index;
}

function addCommonFields(target: ImageManifest | ImageIndexDocument, doc: JsonObject, fail: Fail): void {
  const mediaType = optString(doc.mediaType, 'mediaType', fail);
  if (mediaType !== undefined) target.mediaType = mediaType;
  const artifactType = optString(doc.artifactType, 'artifactType', fail);
  if (artifactType !== undefined) target.artifactType = artifactType;
  if (doc.subject !== undefined && doc.subject !== null) target.subject = parseDescriptor(doc.subject, 'subject', fail);
  const annotations = optStringMap(doc.annotations, 'annotations', fail);
  if (annotations !== undefined) target.annotations = annotations;
}
