// The stdio part of `POST /containers/create`'s body (Tty, OpenStdin, StdinOnce, Attach*, and
// HostConfig.ConsoleSize), checked and normalised.
import type { StdioConfig } from '../container/stdioConfig';
import { ApiError } from './apiError';
import { consoleSize } from './execBodies';

type Json = Record<string, unknown>;

function flag(body: Json, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ApiError(400, `"${key}" must be true or false, got ${JSON.stringify(value).slice(0, 100)}`);
  return value;
}

/** undefined when the body asks for none of it (a plain, detached or output-only container). */
export function parseStdioConfig(body: Json, hostConfig: Json): StdioConfig | undefined {
  const size = consoleSize(hostConfig);
  const stdio: StdioConfig = {
    tty: flag(body, 'Tty'),
    openStdin: flag(body, 'OpenStdin'),
    stdinOnce: flag(body, 'StdinOnce'),
    attachStdin: flag(body, 'AttachStdin'),
    attachStdout: flag(body, 'AttachStdout'),
    attachStderr: flag(body, 'AttachStderr'),
    ...(size !== undefined ? { consoleSize: size } : {}),
  };
  const any = stdio.tty || stdio.openStdin || stdio.stdinOnce || stdio.attachStdin || stdio.attachStdout || stdio.attachStderr || size !== undefined;
  return any ? stdio : undefined;
}
