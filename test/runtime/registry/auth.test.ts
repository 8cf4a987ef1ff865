// Authentication against the real reference registry: htpasswd Basic auth, and the Bearer token
// flow with docker-registry's own `auth.token` verification in front of a small token service
// from the test (tokenServer.ts). Credentials come the Docker CLI's ways: config.json `auths`,
// `credsStore` and `credHelpers` through an injected helper runner.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MemoryBlobSources } from '../../../runtime/registry/blobSources';
import { DockerConfigCredentials, staticCredentials, type CredentialHelperRunner } from '../../../runtime/registry/credentials';
import { RegistryClient, type RegistryClientOptions } from '../../../runtime/registry/registryClient';
import { RegistryError } from '../../../runtime/registry/registryError';
import { startReferenceRegistry, type ReferenceRegistry } from './referenceRegistry';
import { openStore, storeImage, syntheticImage, tempDir, type TestStore } from './registryFixtures';
import { startTokenServer, type TokenServer } from './tokenServer';

const USER = { username: 'alice', password: 's3cret:with-colon' };

function isUnauthorized(pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
    assert.equal(error.code, 'unauthorized');
    assert.match(error.message, pattern);
    return true;
  };
}

describe('Basic auth (htpasswd) against docker-registry', () => {
  let registry: ReferenceRegistry;
  let local: TestStore;
  const image = syntheticImage({ seed: 41 });
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    registry = await startReferenceRegistry({ kind: 'htpasswd', users: [USER] });
    local = await openStore(await tempDir({ after: (fn: () => Promise<void>) => void cleanups.push(fn) }));
    await storeImage(local, image, `${registry.host}/basic/app:1`);
  });
  after(async () => {
    await registry?.stop();
    for (const fn of cleanups) await fn();
  });

  const client = (target: TestStore, options: Partial<RegistryClientOptions>) => {
    const made = new RegistryClient({ store: target.store, index: target.index, ...options });
    cleanups.push(async () => made.close());
    return made;
  };

  test('without credentials: a clear error that says to log in', async () => {
    const anonymous = client(local, { credentials: staticCredentials('elsewhere', {}) });
    await assert.rejects(anonymous.push(`${registry.host}/basic/app:1`), isUnauthorized(/requires a user name and password \(Basic auth\).*berth login 127\.0\.0\.1:\d+/));
  });

  test('a wrong password is refused by the registry and reported as such', async () => {
    const wrong = client(local, { credentials: staticCredentials(registry.host, { username: 'alice', password: 'nope' }) });
    await assert.rejects(wrong.push(`${registry.host}/basic/app:1`), isUnauthorized(/registry 127\.0\.0\.1:\d+ answered 401 .* in basic\/app; log in first/));
  });

  test('config.json auths: push, then pull into a fresh store', async (t) => {
    const dir = await tempDir(t);
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ auths: { [`http://${registry.host}`]: { auth: Buffer.from(`${USER.username}:${USER.password}`).toString('base64') } } }));
    const credentials = new DockerConfigCredentials({ configPath, runHelper: async () => assert.fail('no helper is configured') });
    await client(local, { credentials }).push(`${registry.host}/basic/app:1`);
    const target = await openStore(await tempDir(t));
    const pulled = await client(target, { credentials }).pull(`${registry.host}/basic/app:1`);
    assert.equal(pulled.descriptor.digest, image.manifest.digest);
  });

  test('credHelpers for the host win over credsStore; the helper is asked for this host only', async (t) => {
    const dir = await tempDir(t);
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ credsStore: 'desktop', credHelpers: { [registry.host]: 'pass' } }));
    const asked: string[] = [];
    const runHelper: CredentialHelperRunner = async (helper, serverUrl) => {
      asked.push(`${helper} ${serverUrl}`);
      return helper === 'pass' ? { username: USER.username, secret: USER.password } : undefined;
    };
    const target = await openStore(await tempDir(t));
    await client(local, { credentials: new DockerConfigCredentials({ configPath, runHelper }) }).push(`${registry.host}/basic/app:1`);
    await client(target, { credentials: new DockerConfigCredentials({ configPath, runHelper }) }).pull(`${registry.host}/basic/app:1`);
    assert.deepEqual([...new Set(asked)], [`pass ${registry.host}`]);
  });
});

describe('Bearer token auth against docker-registry', () => {
  let tokens: TokenServer;
  let registry: ReferenceRegistry;
  let local: TestStore;
  let clock = Date.now();
  const image = syntheticImage({ seed: 51 });
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    const dir = await tempDir({ after: (fn: () => Promise<void>) => void cleanups.push(fn) });
    tokens = await startTokenServer(dir, USER);
    registry = await startReferenceRegistry({ kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertPath: tokens.rootCertPath });
    local = await openStore(join(dir, 'local'));
    await storeImage(local, image, `${registry.host}/tok/app:1`);
    await local.index.set(`${registry.host}/tok/copy:1`, image.manifest);
  });
  after(async () => {
    await registry?.stop();
    await tokens?.close();
    for (const fn of cleanups) await fn();
  });

  const client = (target: TestStore, options: Partial<RegistryClientOptions> = {}) => {
    const made = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials(registry.host, USER), now: () => clock, ...options });
    cleanups.push(async () => made.close());
    return made;
  };

  test('anonymous: the token service refuses, and the error names it', async () => {
    const anonymous = client(local, { credentials: staticCredentials('elsewhere', {}) });
    await assert.rejects(anonymous.pull(`${registry.host}/tok/app:1`), isUnauthorized(/token service http:\/\/127\.0\.0\.1:\d+\/token refused anonymous access for repository:tok\/app:pull/));
  });

  test('push and pull with scoped tokens, one token per scope set, renewed after expiry; mounts ask for the source scope', async (t) => {
    const sources = new MemoryBlobSources();
    const pusher = client(local, { sources });
    tokens.requests.length = 0;
    await pusher.push(`${registry.host}/tok/app:1`);
    assert.deepEqual(tokens.requests, [{ service: tokens.service, scopes: ['repository:tok/app:pull,push'], user: 'alice' }]);

    // Same scopes again: the cached token serves.
    await pusher.push(`${registry.host}/tok/app:1`);
    assert.equal(tokens.requests.length, 1);

    // A token outlives its expires_in only until the clock passes it.
    clock += 301_000;
    await pusher.push(`${registry.host}/tok/app:1`);
    assert.equal(tokens.requests.length, 2);

    const mounted = await pusher.push(`${registry.host}/tok/copy:1`);
    assert.equal(mounted.mounted.length, 3);
    assert.deepEqual(tokens.requests.at(-1)?.scopes, ['repository:tok/copy:pull,push', 'repository:tok/app:pull']);

    const target = await openStore(await tempDir(t));
    const pulled = await client(target).pull(`${registry.host}/tok/copy:1`);
    assert.equal(pulled.descriptor.digest, image.manifest.digest);
    assert.deepEqual(tokens.requests.at(-1)?.scopes, ['repository:tok/copy:pull']);

    // Another caller (an API request with its own X-Registry-Auth) never gets alice's cached token.
    const intruder = pusher.withCredentials(staticCredentials(registry.host, { username: 'alice', password: 'guess' }));
    await assert.rejects(intruder.push(`${registry.host}/tok/app:1`), isUnauthorized(/token service .* refused the stored credentials for repository:tok\/app:pull,push/));
  });
});
