// Interoperability through the reference registry with a real Docker Engine (dockerd 20.10 on
// private paths, test/runtime/image/dockerd.ts): an image berth pushes is pulled and run by
// dockerd; an image dockerd pushes (Docker v2 manifest, Docker gzip layers) is pulled by berth
// with the same manifest digest and image ID.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readImage } from '../../../runtime/image/imageInfo';
import { staticCredentials } from '../../../runtime/registry/credentials';
import { RegistryClient } from '../../../runtime/registry/registryClient';
import { MediaTypes } from '../../../runtime/store/mediaTypes';
import { dockerdUnavailable, startDockerd, type Dockerd } from '../image/dockerd';
import { startReferenceRegistry, type ReferenceRegistry } from './referenceRegistry';
import { importBusybox, openStore, tempDir, type TestStore } from './registryFixtures';

const skip = dockerdUnavailable() ?? false;

describe('berth and dockerd through docker-registry', { skip, timeout: 300_000 }, () => {
  let registry: ReferenceRegistry;
  let dockerd: Dockerd;
  let local: TestStore;
  let workDir: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    [registry, dockerd] = await Promise.all([startReferenceRegistry(), startDockerd()]);
    workDir = await tempDir({ after: (fn: () => Promise<void>) => void cleanups.push(fn) });
    local = await openStore(`${workDir}/store`);
  });
  after(async () => {
    await Promise.all([registry?.stop(), dockerd?.stop()]);
    for (const fn of cleanups) await fn();
  });

  const client = (target: TestStore) => {
    const made = new RegistryClient({ store: target.store, index: target.index, credentials: staticCredentials('nowhere.invalid', {}) });
    cleanups.push(async () => made.close());
    return made;
  };

  test('an image berth pushes is pulled and run by dockerd', async () => {
    const ref = `${registry.host}/interop/from-berth:1`;
    const imported = await importBusybox(workDir, local, ref);
    const pushed = await client(local).push(ref);
    await dockerd.docker(['pull', ref]);
    const [inspect] = JSON.parse((await dockerd.docker(['image', 'inspect', ref])).stdout) as { Id: string; RepoDigests: string[] }[];
    assert.equal(inspect.Id, imported.id);
    assert.deepEqual(inspect.RepoDigests, [`${registry.host}/interop/from-berth@${pushed.digest}`]);
    const { stdout } = await dockerd.docker(['run', '--rm', '--network', 'none', ref, 'echo', 'hello from berth']);
    assert.equal(stdout, 'hello from berth\n');
  });

  test('an image dockerd pushes is pulled by berth with the same digest and ID', async (t) => {
    const source = `${registry.host}/interop/from-berth:1`;
    const ref = `${registry.host}/interop/from-docker:1`;
    // A dockerd-made image: a RUN on top of the busybox base, pushed by docker itself.
    await dockerd.docker(['run', '--network', 'none', '--name', 'maker', source, 'sh', '-c', 'echo made-by-docker > /marker']);
    await dockerd.docker(['commit', 'maker', ref]);
    await dockerd.docker(['rm', 'maker']);
    const pushOutput = (await dockerd.docker(['push', ref])).stdout;
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushOutput)?.[1];
    assert.ok(digest !== undefined, `docker push printed no digest:\n${pushOutput}`);
    const [inspect] = JSON.parse((await dockerd.docker(['image', 'inspect', ref])).stdout) as { Id: string; RootFS: { Layers: string[] } }[];

    const target = await openStore(await tempDir(t));
    const pulled = await client(target).pull(ref);
    assert.equal(pulled.descriptor.digest, digest);
    assert.equal(pulled.descriptor.mediaType, MediaTypes.dockerManifest);
    assert.equal(pulled.id, inspect.Id);
    const documents = await readImage(target.store, pulled.descriptor);
    assert.deepEqual(documents.config.rootfs.diff_ids, inspect.RootFS.Layers);
    assert.ok(documents.manifest.layers.every((l) => l.mediaType === MediaTypes.dockerLayerGzip));
  });
});
