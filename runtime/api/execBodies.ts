// The JSON bodies of `POST /containers/{id}/exec` (ExecConfig) and `POST /exec/{id}/start`
// (ExecStartCheck), checked and normalised at the boundary; what berth cannot honour is refused
// with a message that says so.
import type { ExecConfig } from '../engine/execEngine';
import { ApiError } from './apiError';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string, what: string): Json {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, `the ${what} body is not valid JSON`);
  }
  if (!isObject(body)) throw new ApiError(400, `the ${what} body must be a JSON object`);
  return body;
}

function stringList(body: Json, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new ApiError(400, `"${key}" must be a list of strings, got ${JSON.stringify(value).slice(0, 100)}`);
}

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ApiError(400, `"${key}" must be a string, got ${JSON.stringify(value).slice(0, 100)}`);
  return value;
}

function bool(body: Json, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ApiError(400, `"${key}" must be true or false, got ${JSON.stringify(value).slice(0, 100)}`);
  return value;
}

/** `[height, width]`; absent, null or [0, 0]: none. */
export function consoleSize(body: Json, key = 'ConsoleSize'): [number, number] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new ApiError(400, `"${key}" must be [height, width] in whole numbers, got ${JSON.stringify(value).slice(0, 100)}`);
  }
  const [height, width] = value as [number, number];
  return height === 0 && width === 0 ? undefined : [height, width];
}

export function parseExecCreateBody(text: string): ExecConfig {
  const body = parseJson(text, 'exec');
  const cmd = stringList(body, 'Cmd') ?? [];
  if (cmd.length === 0) throw new ApiError(400, 'No exec command specified');
  if (bool(body, 'Privileged')) throw new ApiError(400, 'berth does not support docker exec --privileged yet; run without it');
  return {
    cmd,
    env: stringList(body, 'Env') ?? [],
    workingDir: optionalString(body, 'WorkingDir'),
    user: optionalString(body, 'User'),
    tty: bool(body, 'Tty'),
    attachStdin: bool(body, 'AttachStdin'),
    attachStdout: bool(body, 'AttachStdout'),
    attachStderr: bool(body, 'AttachStderr'),
    consoleSize: consoleSize(body),
  };
}

export interface ExecStartBody {
  detach: boolean;
  tty: boolean;
  consoleSize?: [number, number];
}

export function parseExecStartBody(data: Buffer): ExecStartBody {
  const body = parseJson(data.toString('utf8'), 'exec start');
  return { detach: bool(body, 'Detach'), tty: bool(body, 'Tty'), consoleSize: consoleSize(body) };
}
