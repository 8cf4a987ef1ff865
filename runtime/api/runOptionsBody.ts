// The run options of `POST /containers/create` (HostConfig.Binds, Mounts, Tmpfs, ReadonlyRootfs,
// CapAdd, CapDrop, Privileged, Init, and Config.Volumes), checked and normalised into
// RunOptions with Docker's error messages. Options berth cannot honour are refused here, by
// name, never dropped.
import { CapabilityError, normalizeCapabilities } from '../container/capabilities';
import { PROPAGATIONS, type MountRequest, type Propagation, type RunOptions } from '../container/runOptions';
import { volumeNameProblem } from '../volume/volumeName';
import { ApiError } from './apiError';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

const UNSUPPORTED_HOST_CONFIG: [string, string][] = [
  ['PortBindings', 'published ports (-p)'],
  ['PublishAllPorts', 'published ports (-P)'],
  ['VolumesFrom', '--volumes-from'],
  ['Links', '--link'],
  ['Devices', 'host devices (--device)'],
  ['VolumeDriver', '--volume-driver (berth has the local driver only)'],
];

export function parseRunOptions(body: Json, host: Json): RunOptions {
  for (const [key, what] of UNSUPPORTED_HOST_CONFIG) {
    if (isSet(host[key])) throw new ApiError(400, `berth does not support ${what} yet; remove it from the command`);
  }
  const binds = stringList(host, 'Binds');
  const hostMounts = objectList(host, 'Mounts');
  const tmpfs = stringMap(host, 'Tmpfs');
  const volumes = isSet(body.Volumes) ? body.Volumes : null;
  if (volumes !== null && !isObject(volumes)) throw new ApiError(400, '"Volumes" must be an object whose keys are container paths, e.g. {"/data": {}}');

  const mounts: MountRequest[] = [];
  for (const target of Object.keys(volumes ?? {})) mounts.push(anonymousVolume(target, 'volumes'));
  for (const raw of binds ?? []) mounts.push(parseBind(raw));
  for (const mount of hostMounts ?? []) mounts.push(parseMount(mount));
  for (const [target, options] of Object.entries(tmpfs ?? {})) mounts.push(parseTmpfs(target, options));

  let capAdd: string[] | null;
  let capDrop: string[] | null;
  try {
    capAdd = nullIfEmpty(normalizeCapabilities(stringList(host, 'CapAdd') ?? []));
    capDrop = nullIfEmpty(normalizeCapabilities(stringList(host, 'CapDrop') ?? []));
  } catch (error) {
    if (error instanceof CapabilityError) throw new ApiError(400, error.message);
    throw error;
  }
  const init = host.Init;
  if (init !== undefined && init !== null && typeof init !== 'boolean') throw new ApiError(400, '"Init" must be true, false or null');
  return {
    mounts,
    binds: nullIfEmpty(binds ?? []),
    hostMounts: nullIfEmpty(hostMounts ?? []),
    tmpfs: tmpfs !== undefined && Object.keys(tmpfs).length > 0 ? tmpfs : null,
    volumes: volumes === null ? null : Object.fromEntries(Object.keys(volumes).map((k) => [k, {}])),
    readonlyRootfs: bool(host, 'ReadonlyRootfs'),
    capAdd,
    capDrop,
    privileged: bool(host, 'Privileged'),
    init: init === true ? true : init === false ? false : null,
  };
}

function nullIfEmpty<T>(list: T[]): T[] | null {
  return list.length === 0 ? null : list;
}

function bool(body: Json, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ApiError(400, `"${key}" must be true or false, got ${JSON.stringify(value).slice(0, 100)}`);
  return value;
}

function stringList(body: Json, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new ApiError(400, `"${key}" must be a list of strings, got ${JSON.stringify(value).slice(0, 100)}`);
}

function objectList(body: Json, key: string): Json[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every(isObject)) return value as Json[];
  throw new ApiError(400, `"${key}" must be a list of objects, got ${JSON.stringify(value).slice(0, 100)}`);
}

function stringMap(body: Json, key: string): Record<string, string> | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (isObject(value) && Object.values(value).every((v) => typeof v === 'string')) return value as Record<string, string>;
  throw new ApiError(400, `"${key}" must map strings to strings, got ${JSON.stringify(value).slice(0, 100)}`);
}

function base(type: MountRequest['type'], source: string, target: string, origin: MountRequest['origin']): MountRequest {
  return { type, source, target, readOnly: false, propagation: '', createSource: false, noCopy: false, volumeLabels: {}, tmpfsOptions: [], mode: '', origin };
}

function checkTarget(target: string, fail: (message: string) => never): string {
  if (!target.startsWith('/')) fail(`invalid mount path: '${target}' mount path must be absolute`);
  const clean = cleanPath(target);
  if (clean === '/') fail(`invalid specification: destination can't be '/'`);
  return clean;
}

/** Go's filepath.Clean for absolute paths: no `.`, `..`, doubled or trailing slashes. */
export function cleanPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function anonymousVolume(target: string, origin: MountRequest['origin']): MountRequest {
  const fail = (message: string): never => {
    throw new ApiError(400, `invalid volume specification: '${target}': ${message}`);
  };
  return base('volume', '', checkTarget(target, fail), origin);
}

/** `-v SRC:DST[:MODE]`, `-v NAME:DST[:MODE]` or `-v DST` as HostConfig.Binds carries it. */
export function parseBind(raw: string): MountRequest {
  const invalid = (message?: string): never => {
    throw new ApiError(400, `invalid volume specification: '${raw}'${message === undefined ? '' : `: ${message}`}`);
  };
  const parts = raw.split(':');
  if (parts.some((p) => p === '') || parts.length > 3) invalid();
  if (parts.length === 1) return anonymousVolume(parts[0], 'binds');
  if (parts.length === 2 && isValidMode(parts[1])) invalid('a path and a mode need a source before them (SRC:DST:MODE)');
  const [source, target, modeText = ''] = parts;
  const isBind = source.startsWith('/');
  const request = base(isBind ? 'bind' : 'volume', isBind ? cleanPath(source) : source, '', 'binds');
  request.target = checkTarget(target, (message) => invalid(`invalid mount config for type "${request.type}": ${message}`));
  if (!isBind) {
    const problem = volumeNameProblem(source);
    if (problem !== undefined) throw new ApiError(400, problem);
  }
  const mode = parseMode(modeText, request.type, raw);
  request.readOnly = mode.readOnly;
  request.propagation = mode.propagation;
  request.noCopy = mode.noCopy;
  request.createSource = isBind;
  // As Docker shows it in inspect: the mode as given, `z` for a named volume given none.
  request.mode = modeText === '' && !isBind ? 'z' : modeText;
  return request;
}

function isValidMode(text: string): boolean {
  try {
    parseMode(text, 'bind', text);
    return true;
  } catch {
    return false;
  }
}

function parseMode(text: string, type: MountRequest['type'], raw: string): { readOnly: boolean; propagation: Propagation | ''; noCopy: boolean } {
  const result = { readOnly: false, propagation: '' as Propagation | '', noCopy: false };
  if (text === '') return result;
  let rw = 0;
  const invalid = (): never => {
    throw new ApiError(400, `invalid mode: ${text} (in '${raw}'); use ro or rw, optionally with a propagation (${PROPAGATIONS.join(', ')}) for a bind, or nocopy for a volume`);
  };
  for (const option of text.split(',')) {
    if (option === 'ro' || option === 'rw') {
      rw += 1;
      result.readOnly = option === 'ro';
    } else if (option === 'z' || option === 'Z') {
      // SELinux relabelling: nothing to do without SELinux, as on Docker.
    } else if ((PROPAGATIONS as readonly string[]).includes(option)) {
      if (type !== 'bind' || result.propagation !== '') invalid();
      result.propagation = option as Propagation;
    } else if (option === 'nocopy') {
      if (type !== 'volume' || result.noCopy) invalid();
      result.noCopy = true;
    } else invalid();
  }
  if (rw > 1) invalid();
  return result;
}

/** One `--mount` as HostConfig.Mounts carries it. */
export function parseMount(mount: Json): MountRequest {
  const type = mount.Type;
  if (typeof type !== 'string' || type === '') throw new ApiError(400, 'invalid mount config: the mount type is missing; use type=bind, type=volume or type=tmpfs');
  const fail = (message: string): never => {
    throw new ApiError(400, `invalid mount config for type ${JSON.stringify(type)}: ${message}`);
  };
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw new ApiError(400, `berth does not support mounts of type ${JSON.stringify(type)}; use type=bind, type=volume or type=tmpfs`);
  const source = typeof mount.Source === 'string' ? mount.Source : '';
  const target = typeof mount.Target === 'string' ? mount.Target : '';
  if (target === '') fail('field Target must not be empty');
  const request = base(type, source, checkTarget(target, fail), 'mounts');
  request.readOnly = mount.ReadOnly === true;
  for (const [field, owner] of [['BindOptions', 'bind'], ['VolumeOptions', 'volume'], ['TmpfsOptions', 'tmpfs']] as const) {
    if (type !== owner && isSet(mount[field])) fail(`field ${field} must not be specified`);
  }
  if (type === 'bind') {
    if (source === '') fail('field Source must not be empty');
    if (!source.startsWith('/')) fail(`invalid mount path: '${source}' mount path must be absolute`);
    request.source = cleanPath(source);
    const options = isObject(mount.BindOptions) ? mount.BindOptions : {};
    const propagation = options.Propagation;
    if (propagation !== undefined && propagation !== null && propagation !== '') {
      if (typeof propagation !== 'string' || !(PROPAGATIONS as readonly string[]).includes(propagation)) fail(`invalid propagation mode: ${String(propagation)}`);
      request.propagation = propagation as Propagation;
    }
    if (options.NonRecursive === true) throw new ApiError(400, 'berth does not support bind-nonrecursive yet; remove it from --mount');
  } else if (type === 'volume') {
    if (source !== '') {
      const problem = volumeNameProblem(source);
      if (problem !== undefined) throw new ApiError(400, problem);
    }
    const options = isObject(mount.VolumeOptions) ? mount.VolumeOptions : {};
    request.noCopy = options.NoCopy === true;
    const labels = options.Labels ?? {};
    if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) fail('VolumeOptions.Labels must map strings to strings');
    request.volumeLabels = labels as Record<string, string>;
    const driver = isObject(options.DriverConfig) ? options.DriverConfig : {};
    if (driver.Name !== undefined && driver.Name !== '' && driver.Name !== 'local') throw new ApiError(400, `berth has only the local volume driver, not ${JSON.stringify(driver.Name)}; remove volume-driver from --mount`);
    if (isSet(driver.Options)) throw new ApiError(400, 'berth does not support volume driver options (volume-opt) yet; remove them from --mount');
  } else {
    if (source !== '') fail('field Source must not be specified');
    const options = isObject(mount.TmpfsOptions) ? mount.TmpfsOptions : {};
    const size = options.SizeBytes;
    if (size !== undefined && size !== null && size !== 0) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`invalid tmpfs size ${JSON.stringify(size)}`);
      request.tmpfsOptions.push(`size=${size}`);
    }
    const mode = options.Mode;
    if (mode !== undefined && mode !== null && mode !== 0) {
      if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) fail(`invalid tmpfs mode ${JSON.stringify(mode)}`);
      request.tmpfsOptions.push(`mode=${(mode as number).toString(8)}`);
    }
  }
  return request;
}

/** One `--tmpfs DST[:OPTIONS]` (HostConfig.Tmpfs maps DST to OPTIONS). */
export function parseTmpfs(target: string, options: string): MountRequest {
  const fail = (message: string): never => {
    throw new ApiError(400, `invalid tmpfs specification '${target}': ${message}`);
  };
  const request = base('tmpfs', '', checkTarget(target, fail), 'tmpfs');
  request.tmpfsOptions = options === '' ? [] : options.split(',').map((o) => o.trim()).filter((o) => o !== '');
  request.readOnly = request.tmpfsOptions.includes('ro');
  return request;
}
