// BH012: ARG and ENV values end up in the image (ENV in its config, ARG in the build
// history), so a name that announces a secret is a secret leaked into every copy of the image.
import { Env } from 'dockerfile-ast';
import type { Rule } from '../rule';
import { documentOf } from './support';
import { argDeclarations } from './variables';

/** Name parts that mark a secret (BuildKit's SecretsUsedInArgOrEnv list plus common compounds). */
const SECRET_PARTS = new Set([
  'apikey',
  'auth',
  'credential',
  'credentials',
  'key',
  'password',
  'pword',
  'passwd',
  'pass',
  'secret',
  'token',
  'accesskey',
  'secretkey',
  'privatekey',
  'accesstoken',
  'authtoken',
  'apitoken',
]);

/**
 * Parts that make the name harmless: public material (PUBLIC_KEY, GPG_KEY fingerprints) or a
 * pointer to where the secret lives (PASSWORD_FILE, SSH_KEY_PATH), which is the recommended way.
 */
const HARMLESS_PARTS = new Set(['public', 'pub', 'gpg', 'pgp', 'file', 'path', 'dir', 'location']);

/** `GITHUB_TOKEN`, `githubToken`, `api-key`, `APIKey` -> lowercase word parts. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .split(/[_\-.]+/)
    .filter((part) => part !== '')
    .map((part) => part.toLowerCase());
}

export function looksSecret(name: string): boolean {
  const parts = nameParts(name);
  return parts.some((p) => SECRET_PARTS.has(p)) && !parts.some((p) => HARMLESS_PARTS.has(p));
}

export const secretInArgOrEnv: Rule = {
  id: 'BH012',
  hadolint: [],
  name: 'secret-in-arg-or-env',
  defaultSeverity: 'warning',
  description: 'ARG and ENV values are stored in the image metadata and history, where anyone with the image can read them.',
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    return ctx.dockerfile.getInstructions().flatMap((instruction) => {
      const names =
        instruction instanceof Env
          ? instruction.getProperties().map((p) => ({ name: p.getName(), nameRange: p.getNameRange() }))
          : argDeclarations(instruction, document, escapeChar);
      const keyword = instruction.getKeyword();
      return names
        .filter(({ name }) => looksSecret(name))
        .map(({ name, nameRange }) => ({
          range: nameRange,
          message: `${keyword} ${name} looks like a secret, and ${keyword} values are kept in the image history where anyone with the image can read them; pass it with RUN --mount=type=secret instead.`,
        }));
    });
  },
};
