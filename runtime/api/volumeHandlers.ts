// The volume routes (`docker volume create|ls|inspect|rm|prune`) and Docker's volume JSON.
import type { IncomingMessage } from 'node:http';
import type { Engine, VolumeInfo } from '../engine/engine';
import { ApiError } from './apiError';
import type { VolumePath } from './dockerMountJson';
import type { HandlerContext } from './handler';
import { labelFilterMatches } from './labelFilter';
import { booleanFilter } from './queryParams';
import { sendEmpty, sendJson } from './responses';

const MAX_BODY = 64 * 1024;

/** Docker's volume object. */
export function volumeJson(volume: VolumeInfo): Record<string, unknown> {
  return {
    CreatedAt: volume.createdAt,
    Driver: 'local',
    Labels: Object.keys(volume.labels).length > 0 ? volume.labels : null,
    Mountpoint: volume.mountpoint,
    Name: volume.name,
    Options: Object.keys(volume.options).length > 0 ? volume.options : null,
    Scope: 'local',
  };
}

/** Host directories of volumes for the container JSON; '' for one that is gone. */
export function volumePathFor(engine: Engine): VolumePath {
  return (name) => engine.volumes.list().find((v) => v.name === name)?.mountpoint ?? '';
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiError(400, `the request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'the request body must be a JSON object such as {"Name": "data"}');
  return parsed as Record<string, unknown>;
}

function stringMap(value: unknown, key: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')) return value as Record<string, string>;
  throw new ApiError(400, `"${key}" must map strings to strings`);
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError(400, `"${key}" must be a string`);
  return value;
}

/** `POST /volumes/create` `{Name, Driver, DriverOpts, Labels}` → 201 the volume */
export async function createVolume({ req, res, engine }: HandlerContext): Promise<void> {
  const body = await readBody(req);
  const volume = await engine.volumes.create({
    name: optionalString(body.Name, 'Name'),
    driver: optionalString(body.Driver, 'Driver'),
    driverOpts: stringMap(body.DriverOpts, 'DriverOpts'),
    labels: stringMap(body.Labels, 'Labels'),
  });
  sendJson(res, 201, volumeJson(volume));
}

/** `GET /volumes?filters` (dangling, name, label, driver) → `{Volumes, Warnings}` */
export async function listVolumes({ res, query, engine }: HandlerContext): Promise<void> {
  const filters = query.filters(['dangling', 'name', 'label', 'driver']);
  const dangling = booleanFilter(filters, 'dangling');
  const names = filters.get('name');
  const drivers = filters.get('driver');
  const volumes = engine.volumes.list().filter((volume) => {
    if (dangling !== undefined && (engine.volumes.usedBy(volume.name).length === 0) !== dangling) return false;
    if (names !== undefined && !names.some((n) => volume.name.includes(n))) return false;
    if (drivers !== undefined && !drivers.includes('local')) return false;
    return labelFilterMatches(volume.labels, filters.get('label') ?? [], []);
  });
  volumes.sort((a, b) => a.name.localeCompare(b.name));
  sendJson(res, 200, { Volumes: volumes.map(volumeJson), Warnings: null });
}

/** `GET /volumes/{name}` */
export async function inspectVolume({ res, params, engine }: HandlerContext): Promise<void> {
  sendJson(res, 200, volumeJson(engine.volumes.inspect(params.name)));
}

/** `DELETE /volumes/{name}?force` → 204; 409 while a container uses it */
export async function removeVolume({ res, params, query, engine }: HandlerContext): Promise<void> {
  await engine.volumes.remove(params.name, { force: query.bool('force') });
  sendEmpty(res, 204);
}

/**
 * `POST /volumes/prune?filters` (label, label!, all) → `{VolumesDeleted, SpaceReclaimed}`. At API
 * 1.41, which berth speaks, Docker prunes every unused volume, named or not; `all` is accepted
 * for newer clients and changes nothing.
 */
export async function pruneVolumes({ res, query, engine }: HandlerContext): Promise<void> {
  const filters = query.filters(['label', 'label!', 'all']);
  booleanFilter(filters, 'all');
  const { deleted, spaceReclaimed } = await engine.volumes.prune((volume) => labelFilterMatches(volume.labels, filters.get('label') ?? [], filters.get('label!') ?? []));
  sendJson(res, 200, { VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: spaceReclaimed });
}
