// Checked access to a request's params: untrusted JSON in, typed values out, and an error that
// names the parameter and what it must be (JSON-RPC's "invalid params").
import { RpcErrorCodes } from './protocol';

export class RpcMethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RpcMethodError';
  }
}

export type Params = Record<string, unknown>;

export function asParams(value: unknown): Params {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new RpcMethodError(RpcErrorCodes.invalidParams, 'params must be an object of named parameters');
  return value as Params;
}

function invalid(name: string, what: string, value: unknown): never {
  throw new RpcMethodError(RpcErrorCodes.invalidParams, `parameter "${name}" must be ${what}, got ${JSON.stringify(value)?.slice(0, 80) ?? 'undefined'}`);
}

export function requiredString(params: Params, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') invalid(name, 'a non-empty string', value);
  return value;
}

export function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(name, 'a string', value);
  return value;
}

export function optionalBoolean(params: Params, name: string): boolean {
  const value = params[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') invalid(name, 'true or false', value);
  return value;
}

export function optionalInteger(params: Params, name: string, min = 0): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) invalid(name, `a whole number ≥ ${min}`, value);
  return value;
}
