// The registry client's pure pieces, without a network: WWW-Authenticate parsing, credential
// lookup from a Docker config (auths, credsStore, credHelpers, identity tokens), the plain-HTTP
// rule, progress formatting and the bounded task runner's failure semantics.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FileBlobSources } from '../../../runtime/registry/blobSources';
import { runBounded } from '../../../runtime/registry/boundedTasks';
import { parseChallenges } from '../../../runtime/registry/challenge';
import { DOCKER_HUB_AUTH_KEY, DockerConfigCredentials, normalizeRegistry, runCredentialHelper, type CredentialHelperRunner } from '../../../runtime/registry/credentials';
import { formatProgress, humanSize } from '../../../runtime/registry/progress';
import { parseErrorBody, RegistryError } from '../../../runtime/registry/registryError';
import { HttpTransport, isLoopbackHost } from '../../../runtime/registry/transport';
import { tempDir } from './registryFixtures';

describe('WWW-Authenticate', () => {
  test('a Bearer challenge with a quoted scope containing commas', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });
  test('Basic, several challenges, escapes and odd spacing', () => {
    assert.deepEqual(parseChallenges('Basic realm="basic-realm"'), [{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
    assert.deepEqual(parseChallenges('Basic realm="a\\"b" ,  Bearer realm="https://x/token", error=insufficient_scope'), [
      { scheme: 'basic', params: { realm: 'a"b' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', error: 'insufficient_scope' } },
    ]);
  });
});

describe('credentials from a Docker config', () => {
  const noHelper: CredentialHelperRunner = async () => assert.fail('no helper should run');

  test('auths: Docker Hub key, scheme and path ignored, password with colons; absent file is anonymous', async (t) => {
    const dir = await tempDir(t);
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        auths: {
          [DOCKER_HUB_AUTH_KEY]: { auth: Buffer.from('hubuser:a:b:c').toString('base64') },
          'https://registry.example.com:5000/v1/': { auth: Buffer.from('me:pw').toString('base64'), identitytoken: 'refresh-me' },
        },
      }),
    );
    const creds = new DockerConfigCredentials({ configPath, runHelper: noHelper });
    assert.deepEqual(await creds.get('docker.io'), { username: 'hubuser', password: 'a:b:c' });
    assert.deepEqual(await creds.get('registry.example.com:5000'), { username: 'me', password: 'pw', identityToken: 'refresh-me' });
    assert.equal(await creds.get('registry.example.com'), undefined, 'another port is another registry');
    assert.equal(await new DockerConfigCredentials({ configPath: join(dir, 'missing.json'), runHelper: noHelper }).get('docker.io'), undefined);
  });

  test('credsStore helpers get the Docker Hub server URL; <token> means an identity token', async (t) => {
    const dir = await tempDir(t);
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ credsStore: 'secretservice' }));
    const asked: string[] = [];
    const creds = new DockerConfigCredentials({
      configPath,
      runHelper: async (helper, url) => {
        asked.push(`${helper} ${url}`);
        return { username: '<token>', secret: 'oauth-refresh' };
      },
    });
    assert.deepEqual(await creds.get('docker.io'), { identityToken: 'oauth-refresh' });
    assert.deepEqual(asked, [`secretservice ${DOCKER_HUB_AUTH_KEY}`]);
  });

  test('a helper name that could be a path is refused; a broken file says which', async (t) => {
    const dir = await tempDir(t);
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ credHelpers: { 'r.example': '../../bin/sh' } }));
    await assert.rejects(new DockerConfigCredentials({ configPath, runHelper: noHelper }).get('r.example'), /not a valid helper name/);
    await writeFile(configPath, '{not json');
    await assert.rejects(new DockerConfigCredentials({ configPath, runHelper: noHelper }).get('r.example'), new RegExp(`${configPath.replace(/[.]/g, '\\.')} is not a JSON object`));
  });

  test('the real helper runner speaks the docker-credential-* protocol over stdin/stdout', async (t) => {
    const dir = await tempDir(t);
    // A helper that knows one server, answers "not found" for others, as the real ones do.
    await writeFile(
      join(dir, 'docker-credential-berthtest'),
      '#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r server\nif [ "$server" = "r.example:5000" ]; then printf \'{"ServerURL":"%s","Username":"bob","Secret":"hunter2"}\' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n',
      { mode: 0o755 },
    );
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path ?? ''}`;
    t.after(() => {
      process.env.PATH = path;
    });
    assert.deepEqual(await runCredentialHelper('berthtest', 'r.example:5000'), { username: 'bob', secret: 'hunter2' });
    assert.equal(await runCredentialHelper('berthtest', 'other.example'), undefined);
    await assert.rejects(runCredentialHelper('absent-helper', 'r.example:5000'), /docker-credential-absent-helper named in the Docker config is not installed/);
  });

  test('registry names normalise like Docker', () => {
    assert.equal(normalizeRegistry('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeRegistry('registry-1.docker.io'), 'docker.io');
    assert.equal(normalizeRegistry('HTTP://Localhost:5000/'), 'localhost:5000');
  });
});

describe('transport rules', () => {
  test('plain HTTP only for loopback and listed hosts; Docker Hub goes to registry-1 over TLS', () => {
    const transport = new HttpTransport({ insecureHosts: ['build.lan:5000'] });
    assert.equal(transport.baseUrl('docker.io').href, 'https://registry-1.docker.io/');
    assert.equal(transport.baseUrl('127.0.0.1:5000').href, 'http://127.0.0.1:5000/');
    assert.equal(transport.baseUrl('localhost').href, 'http://localhost/');
    assert.equal(transport.baseUrl('[::1]:5000').href, 'http://[::1]:5000/');
    assert.equal(transport.baseUrl('build.lan:5000').href, 'http://build.lan:5000/');
    assert.equal(transport.baseUrl('build.lan:6000').href, 'https://build.lan:6000/');
    assert.equal(transport.baseUrl('ghcr.io').href, 'https://ghcr.io/');
    assert.throws(() => transport.checkScheme(new URL('http://ghcr.io/token'), 'asking for a token'), (error: unknown) => error instanceof RegistryError && error.code === 'insecure');
    assert.equal(isLoopbackHost('127.5.6.7'), true);
    assert.equal(isLoopbackHost('128.0.0.1'), false);
    assert.equal(isLoopbackHost('localhost.example.com'), false);
    transport.close();
  });

  test('registry error bodies are read leniently', () => {
    assert.deepEqual(parseErrorBody(Buffer.from('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}')), [{ code: 'DENIED', message: 'requested access to the resource is denied' }]);
    assert.deepEqual(parseErrorBody(Buffer.from('<html>502</html>')), []);
  });
});

describe('blob sources for cross-repository mounts', () => {
  test('recorded per registry, most recent first, kept across instances; a damaged file is only a lost hint', async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'registry-sources.json');
    const digest = `sha256:${'a'.repeat(64)}` as const;
    const sources = new FileBlobSources(path);
    await Promise.all([sources.record([digest], 'r.example', 'one/app'), sources.record([digest], 'other.example', 'x')]);
    await sources.record([digest], 'r.example', 'two/app');
    assert.deepEqual(await new FileBlobSources(path).sourcesOf(digest, 'r.example'), ['two/app', 'one/app']);
    assert.deepEqual(await new FileBlobSources(path).sourcesOf(digest, 'other.example'), ['x']);
    await writeFile(path, 'garbage');
    assert.deepEqual(await new FileBlobSources(path).sourcesOf(digest, 'r.example'), []);
  });
});

describe('progress and tasks', () => {
  test('Docker-style lines and sizes', () => {
    assert.equal(humanSize(999), '999B');
    assert.equal(humanSize(12_345_678), '12.3MB');
    assert.equal(formatProgress({ id: 'abc', status: 'Downloading', current: 1_500_000, total: 40_000_000 }), 'abc: Downloading 1.5MB/40MB');
    assert.equal(formatProgress({ status: 'Digest: sha256:x' }), 'Digest: sha256:x');
  });

  test('the first failure aborts the rest, and the call returns only after all settled', async () => {
    const settled: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const run = runBounded(['slow', 'fail', 'never'], 2, async (item, signal) => {
      if (item === 'fail') {
        throw new Error('boom');
      }
      if (item === 'slow') {
        signal.addEventListener('abort', () => release(), { once: true });
        await blocked;
        settled.push('slow saw abort');
        return;
      }
      settled.push(`ran ${item}`);
    });
    await assert.rejects(run, /boom/);
    assert.deepEqual(settled, ['slow saw abort']);
  });
});
