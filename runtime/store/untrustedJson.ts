// Small checks for JSON that came from outside (a registry, an image archive, a disk someone
// else can write): each failure names the document, the field path and what was wrong, so a
// user can tell which image is broken and how.

export class InvalidDocumentError extends Error {
  constructor(
    /** e.g. "image manifest", "image config", "image index" */
    readonly document: string,
    /** JSON path of the offending field, e.g. "layers[2].size"; empty for the whole document */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid ${document}: ${field ? `${field}: ` : ''}${reason}`);
    this.name = 'InvalidDocumentError';
  }
}

export type JsonObject = Record<string, unknown>;

/** Reports a failure in one document; the `never` return lets checks narrow types. */
export type Fail = (field: string, reason: string) => never;

export function failFor(document: string): Fail {
  return (field, reason) => {
    throw new InvalidDocumentError(document, field, reason);
  };
}

/** Decodes bytes (strict UTF-8) and parses a JSON object, refusing anything over `maxBytes`. */
export function parseJsonObject(input: Uint8Array | string, maxBytes: number, fail: Fail): JsonObject {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) fail('', `${size} bytes is over the ${maxBytes}-byte limit for this kind of document`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return fail('', 'not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail('', `not valid JSON (${(error as Error).message})`);
  }
  return asObject(value, '', fail);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

export function asObject(value: unknown, field: string, fail: Fail): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, `must be an object, got ${typeName(value)}`);
  return value as JsonObject;
}

export function asArray(value: unknown, field: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) fail(field, `must be an array, got ${typeName(value)}`);
  return value as unknown[];
}

export function asString(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string') fail(field, `must be a string, got ${typeName(value)}`);
  return value as string;
}

/** Absent and null both mean "not set": Docker writes `"Cmd": null`. */
export function optString(value: unknown, field: string, fail: Fail): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, field, fail);
}

export function optBoolean(value: unknown, field: string, fail: Fail): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(field, `must be true or false, got ${typeName(value)}`);
  return value as boolean;
}

export function asNonNegativeInteger(value: unknown, field: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(field, `must be a non-negative integer, got ${typeName(value)}`);
  }
  return value as number;
}

export function optNonNegativeInteger(value: unknown, field: string, fail: Fail): number | undefined {
  return value === undefined || value === null ? undefined : asNonNegativeInteger(value, field, fail);
}

export function optStringArray(value: unknown, field: string, fail: Fail): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return asArray(value, field, fail).map((item, i) => asString(item, `${field}[${i}]`, fail));
}

export function optStringMap(value: unknown, field: string, fail: Fail): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const object = asObject(value, field, fail);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) out[key] = asString(item, `${field}[${JSON.stringify(key)}]`, fail);
  return out;
}

/** Docker's "set" objects such as `ExposedPorts: {"80/tcp": {}}`: only the keys matter. */
export type KeySet = Record<string, Record<string, never>>;

export function optKeySet(value: unknown, field: string, fail: Fail): KeySet | undefined {
  if (value === undefined || value === null) return undefined;
  const object = asObject(value, field, fail);
  const out: KeySet = {};
  for (const [key, item] of Object.entries(object)) {
    asObject(item, `${field}[${JSON.stringify(key)}]`, fail);
    out[key] = {};
  }
  return out;
}
