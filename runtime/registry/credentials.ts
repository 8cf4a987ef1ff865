// Credentials for a registry, read the way the Docker CLI stores them, so an existing
// `docker login` just works: `~/.docker/config.json` (or $DOCKER_CONFIG/config.json) with
//   credHelpers: {"host": "name"}   → `docker-credential-name get` for that host
//   credsStore:  "name"             → that helper for every host
//   auths:       {"host": {"auth": base64("user:password"), "identitytoken": "..."}}
// A helper reads the server URL on stdin and prints {"ServerURL","Username","Secret"}; the
// username `<token>` means the secret is an identity (refresh) token. The file path and the
// helper runner are injected so tests control both.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB_DOMAIN } from './transport';
import { errorMessage, RegistryError } from './registryError';

export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token from `docker login` (sent to the token realm, never to the registry). */
  identityToken?: string;
  /** A bearer token to send to the registry as is. */
  registryToken?: string;
}

/** Where credentials for a registry come from; undefined means anonymous. */
export interface CredentialSource {
  get(registry: string): Promise<RegistryCredentials | undefined>;
}

/** Runs `docker-credential-<helper> get` with `serverUrl` on stdin; undefined when the helper has none. */
export type CredentialHelperRunner = (helper: string, serverUrl: string) => Promise<{ username: string; secret: string } | undefined>;

export interface DockerConfigOptions {
  /** Default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  configPath?: string;
  runHelper?: CredentialHelperRunner;
}

/** The key Docker uses for Docker Hub in config.json and with helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
const TOKEN_USERNAME = '<token>';
const HELPER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** Fixed credentials (from `X-Registry-Auth` or `berth login --password-stdin`), for one registry. */
export function staticCredentials(registry: string, credentials: RegistryCredentials): CredentialSource {
  return { get: async (asked) => (normalizeRegistry(asked) === normalizeRegistry(registry) ? credentials : undefined) };
}

export class DockerConfigCredentials implements CredentialSource {
  private readonly configPath: string;
  private readonly runHelper: CredentialHelperRunner;

  constructor(options: DockerConfigOptions = {}) {
    this.configPath = options.configPath ?? defaultDockerConfigPath();
    this.runHelper = options.runHelper ?? runCredentialHelper;
  }

  async get(registry: string): Promise<RegistryCredentials | undefined> {
    const config = await this.readConfig();
    if (config === undefined) return undefined;
    const host = normalizeRegistry(registry);
    const serverUrl = host === DOCKER_HUB_DOMAIN ? DOCKER_HUB_AUTH_KEY : host;
    const helper = stringMap(config.credHelpers)[host] ?? (typeof config.credsStore === 'string' && config.credsStore !== '' ? config.credsStore : undefined);
    if (helper !== undefined) {
      if (!HELPER_NAME_RE.test(helper)) throw new RegistryError('unauthorized', `${this.configPath} names the credential helper ${JSON.stringify(helper)}, which is not a valid helper name; fix the file`, { registry: host });
      const found = await this.runHelper(helper, serverUrl);
      if (found !== undefined) return found.username === TOKEN_USERNAME ? { identityToken: found.secret } : { username: found.username, password: found.secret };
    }
    const auths = typeof config.auths === 'object' && config.auths !== null ? (config.auths as Record<string, unknown>) : {};
    for (const [key, entry] of Object.entries(auths)) {
      if (normalizeRegistry(key) !== host || typeof entry !== 'object' || entry === null) continue;
      return this.fromAuthEntry(entry as Record<string, unknown>, key);
    }
    return undefined;
  }

  private fromAuthEntry(entry: Record<string, unknown>, key: string): RegistryCredentials | undefined {
    const out: RegistryCredentials = {};
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new RegistryError('unauthorized', `${this.configPath}: auths[${JSON.stringify(key)}].auth is not base64 of "user:password"; run \`docker login ${key}\` again`, { registry: key });
      out.username = decoded.slice(0, colon);
      out.password = decoded.slice(colon + 1);
    } else if (typeof entry.username === 'string' && typeof entry.password === 'string') {
      out.username = entry.username;
      out.password = entry.password;
    }
    if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') out.identityToken = entry.identitytoken;
    if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') out.registryToken = entry.registrytoken;
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private async readConfig(): Promise<Record<string, unknown> | undefined> {
    let text: string;
    try {
      text = await readFile(this.configPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RegistryError('unauthorized', `cannot read Docker credentials from ${this.configPath}: ${errorMessage(error)}`);
    }
    try {
      const doc: unknown = JSON.parse(text);
      if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new RegistryError('unauthorized', `${this.configPath} is not a JSON object; fix it or move it away (it holds \`docker login\` credentials)`);
  }
}

/**
 * The registry host a config key or a user's input means: `https://index.docker.io/v1/`,
 * `index.docker.io` and `registry-1.docker.io` all mean docker.io; scheme and path are dropped.
 */
export function normalizeRegistry(input: string): string {
  let host = input.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com') return DOCKER_HUB_DOMAIN;
  return host;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[normalizeRegistry(key)] = item;
  return out;
}

/** The real runner: `docker-credential-<helper> get` from PATH, 30 s at most. */
export const runCredentialHelper: CredentialHelperRunner = (helper, serverUrl) =>
  new Promise((resolve, reject) => {
    const program = `docker-credential-${helper}`;
    const child = execFile(program, ['get'], { timeout: 30_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error) {
        // The helpers' own wording for "nothing stored for this server".
        if (/credentials not found/i.test(output)) return resolve(undefined);
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        return reject(
          new RegistryError(
            'unauthorized',
            missing
              ? `the credential helper ${program} named in the Docker config is not installed (not on PATH); install it or remove it from config.json`
              : `the credential helper ${program} failed for ${serverUrl}: ${output || errorMessage(error)}`,
            { registry: serverUrl },
          ),
        );
      }
      try {
        const doc = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
        if (typeof doc.Username !== 'string' || typeof doc.Secret !== 'string') throw new Error('missing Username or Secret');
        resolve(doc.Secret === '' ? undefined : { username: doc.Username, secret: doc.Secret });
      } catch (parseError) {
        reject(new RegistryError('unauthorized', `the credential helper ${program} printed something that is not {"Username","Secret"} JSON: ${errorMessage(parseError)}`, { registry: serverUrl }));
      }
    });
    child.stdin?.end(serverUrl);
  });
