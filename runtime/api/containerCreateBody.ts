// `POST /containers/create`'s body (Config with HostConfig inside) checked and normalised into
// the engine's CreateRequest. Everything berth cannot honour yet is refused with a message that
// says so, never silently dropped. The run options (mounts and the like) are runOptionsBody.ts,
// the stdio options (-i, -t, -a) stdioBody.ts.
import type { CreateRequest, NetworkMode } from '../container/containerConfig';
import { ApiError } from './apiError';
import { parseRunOptions } from './runOptionsBody';
import { parseStdioConfig } from './stdioBody';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(body: Json, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value]; // Docker accepts a bare string for Cmd/Entrypoint
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new ApiError(400, `"${key}" must be a list of strings, got ${JSON.stringify(value).slice(0, 100)}`);
}

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ApiError(400, `"${key}" must be a string, got ${JSON.stringify(value).slice(0, 100)}`);
  return value;
}

export function parseCreateBody(body: unknown, name: string | undefined): CreateRequest {
  if (!isObject(body)) throw new ApiError(400, 'the request body must be a JSON object (a container Config)');
  const image = optionalString(body, 'Image');
  if (image === undefined) throw new ApiError(400, 'config error: "Image" is required');
  const host = isObject(body.HostConfig) ? body.HostConfig : {};
  const stdio = parseStdioConfig(body, host);
  // Mounts, capabilities, --read-only, --privileged, --init, and the refusals of what berth lacks.
  const run = parseRunOptions(body, host);
  const rawNetwork = optionalString(host, 'NetworkMode') ?? 'default';
  let networkMode: NetworkMode;
  if (rawNetwork === 'none') networkMode = 'none';
  else if (rawNetwork === 'host') networkMode = 'host';
  else throw new ApiError(400, `berth supports only --network none or --network host so far, not ${JSON.stringify(rawNetwork)}; add --network none (no network) or --network host`);
  const labels = body.Labels ?? {};
  if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) throw new ApiError(400, '"Labels" must map strings to strings');
  const stopTimeout = body.StopTimeout;
  if (stopTimeout !== undefined && stopTimeout !== null && !Number.isInteger(stopTimeout)) throw new ApiError(400, '"StopTimeout" must be a whole number of seconds');
  return {
    image,
    name,
    cmd: strings(body, 'Cmd'),
    entrypoint: strings(body, 'Entrypoint'),
    env: strings(body, 'Env') ?? [],
    workingDir: optionalString(body, 'WorkingDir'),
    user: optionalString(body, 'User'),
    labels: labels as Record<string, string>,
    hostname: optionalString(body, 'Hostname'),
    networkMode,
    autoRemove: host.AutoRemove === true,
    stopSignal: optionalString(body, 'StopSignal'),
    stopTimeout: typeof stopTimeout === 'number' ? stopTimeout : undefined,
    run,
    ...(stdio !== undefined ? { stdio } : {}),
  };
}
