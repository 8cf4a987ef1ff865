// An agent with busybox loaded, for tests that drive the docker CLI against containers: on the
// way out every container is removed, no overlay may be left mounted under the temp root, and
// the agent must stop cleanly.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startBerth, type BerthAgent } from '../api/berthServe';
import type { BusyboxArchive } from '../api/busyboxArchive';
import { mountsUnder } from './containerHost';

export async function agentWithBusybox(t: TestContext, busybox: BusyboxArchive): Promise<BerthAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ctr-'));
  let agent: BerthAgent | undefined;
  // Registered before startBerth's own hook (hooks run in order): the agent must still be up.
  t.after(async () => {
    try {
      if (agent !== undefined) {
        const ids = (await agent.docker(['ps', '-aq'])).split('\n').filter((id) => id !== '');
        if (ids.length > 0) await agent.docker(['rm', '-f', ...ids]);
        assert.deepEqual(await mountsUnder(dir), [], 'no overlay mount is left under the temp root');
        const { code } = await agent.stop();
        assert.equal(code, 0);
      }
    } finally {
      if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
    }
  });
  agent = await startBerth(t, { dir });
  await agent.docker(['load', '-i', busybox.archive]);
  return agent;
}
