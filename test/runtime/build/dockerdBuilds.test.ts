// The differential reference: every case under test/fixtures/builds/ is built by dockerd 20.10's
// classic builder (a private daemon, loopback only) and predicted by berth's pure build core;
// the image config fields, the author and the whole history (created_by, empty_layer, author)
// must be equal, and for .dockerignore cases the files dockerd saw must be the ones berth sends.
// One daemon serves all cases (starting one per case would take most of the run); each case
// builds from its own temp context and its own tag, and cases share nothing but base images.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BuildError } from '../../../runtime/build/buildError';
import { hybridCgroupControllers } from '../../../runtime/host/hostCheck';
import type { ContainerConfig, HistoryEntry, ImageConfig } from '../../../runtime/store/imageConfig';
import { makeBusyboxArchive } from '../api/busyboxArchive';
import { dockerdUnavailable, withDockerd, type Dockerd } from '../image/dockerd';
import { tempDir } from '../store/helpers';
import { listCases, materialiseContext, predict, readCase, sentContext, type BuildCase } from './buildCorpus';

const skip = dockerdUnavailable() ?? false;

const FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'] as const;
/** Directories of the busybox base rootfs (test/runtime/image/busyboxRootfs.ts). */
const BASE_DIRS = ['/', '/bin', '/etc', '/tmp', '/proc', '/sys', '/dev'];

/** Null, empty strings and empty lists are how Go writes "unset"; drop them so both sides compare. */
function pick(config: ContainerConfig | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = (config as Record<string, unknown> | undefined)?.[field];
    if (value === null || value === undefined || value === '') continue;
    out[field] = value;
  }
  return out;
}

function historyOf(entries: readonly HistoryEntry[] | undefined): HistoryEntry[] {
  return (entries ?? []).map((h) => {
    const out: HistoryEntry = {};
    if (h.author) out.author = h.author;
    if (h.created_by !== undefined) out.created_by = h.created_by;
    if (h.comment) out.comment = h.comment;
    if (h.empty_layer) out.empty_layer = true;
    return out;
  });
}

async function rawConfig(dockerd: Dockerd, ref: string): Promise<ImageConfig & { author?: string }> {
  const id = (await dockerd.docker(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
  const path = join(dockerd.dir, 'data', 'image', 'overlay2', 'imagedb', 'content', 'sha256', id.replace(/^sha256:/, ''));
  return JSON.parse(await readFile(path, 'utf8')) as ImageConfig & { author?: string };
}

test('berth predicts the image config and history dockerd 20.10 classic builder writes, case by case', { skip, timeout: 1_200_000 }, async (t) => {
  // dockerd's runc refuses to start containers while cgroups are in hybrid mode (ENVIRONMENT.md).
  for (const controller of await hybridCgroupControllers()) {
    execFileSync('sh', ['-c', `mkdir -p /sys/fs/cgroup/${controller} && mount -t cgroup -o ${controller} cgroup /sys/fs/cgroup/${controller}`], { stdio: 'inherit' });
  }
  const work = await tempDir(t, 'berth-build-corpus-');
  const busybox = await makeBusyboxArchive(join(work, 'busybox'));
  const cases = new Map<string, BuildCase>();
  for (const name of await listCases()) cases.set(name, await readCase(name));

  await withDockerd(async (dockerd) => {
    const { createReadStream } = await import('node:fs');
    await dockerd.docker(['import', '--change', 'CMD ["sh"]', '-', 'busybox:local'], { stdin: createReadStream(busybox.rootfsTar) });
    const built = new Map<string, Promise<string>>();

    const build = (buildCase: BuildCase): Promise<string> => {
      let pending = built.get(buildCase.name);
      if (!pending) {
        pending = (async () => {
          for (const need of buildCase.needs) await build(cases.get(need)!);
          const context = join(work, 'ctx', buildCase.name);
          await materialiseContext(buildCase, context);
          const args = ['build', '-q', '-t', buildCase.tag ?? `berth-case-${buildCase.name}`];
          for (const arg of buildCase.buildArgs) args.push('--build-arg', arg);
          if (buildCase.target) args.push('--target', buildCase.target);
          for (const [k, v] of Object.entries(buildCase.labels)) args.push('--label', `${k}=${v}`);
          args.push(context);
          return (await dockerd.docker(args)).stdout.trim();
        })();
        built.set(buildCase.name, pending);
      }
      return pending;
    };

    for (const buildCase of cases.values()) {
      await t.test(buildCase.name, async () => {
        const context = join(work, 'ctx', buildCase.name);
        const dockerError = await build(buildCase).then(
          () => undefined,
          (error: Error) => error.message,
        );
        const dockerfile = await readFile(join(context, 'Dockerfile'), 'utf8');
        const { sums, entries } = await sentContext(context, join(work, 'sent', buildCase.name));
        const prediction = predict(buildCase, dockerfile, join(work, 'sent', buildCase.name), sums, async (ref) => {
          const config = await rawConfig(dockerd, ref);
          return { config: config.config, history: config.history };
        }, BASE_DIRS, async (stageName) => {
          // The stage's files as dockerd has them: build it as its own target, then export it.
          const tag = `berth-case-${buildCase.name}-stage-${stageName}`;
          const rootfs = join(work, 'stages', buildCase.name, stageName);
          const args = ['build', '-q', '-t', tag, '--target', stageName];
          for (const arg of buildCase.buildArgs) args.push('--build-arg', arg);
          await dockerd.docker([...args, context]);
          const id = (await dockerd.docker(['create', tag, 'true'])).stdout.trim();
          const archive = join(work, 'stages', `${buildCase.name}-${stageName}.tar`);
          await mkdir(rootfs, { recursive: true });
          await dockerd.docker(['export', '-o', archive, id]);
          await dockerd.docker(['rm', id]);
          execFileSync('tar', ['-C', rootfs, '-xf', archive]);
          return rootfs;
        }).then(
          (value) => ({ ok: true as const, value }),
          (error: Error) => ({ ok: false as const, error }),
        );

        if (buildCase.error !== undefined) {
          assert.ok(dockerError !== undefined, `dockerd was expected to fail with "${buildCase.error}"`);
          assert.ok(dockerError.includes(buildCase.error), `dockerd failed differently: ${dockerError}`);
          const outcome = await prediction;
          assert.ok(!outcome.ok, `berth did not fail; dockerd failed with: ${dockerError}`);
          assert.ok(outcome.error instanceof BuildError, `berth threw ${outcome.error}`);
          assert.ok(outcome.error.message.includes(buildCase.error), `berth's message lacks "${buildCase.error}": ${outcome.error.message}`);
          return;
        }
        assert.equal(dockerError, undefined, `dockerd failed: ${dockerError}`);
        const outcome = await prediction;
        if (!outcome.ok) throw outcome.error;
        const { target } = outcome.value;
        const actual = await rawConfig(dockerd, buildCase.tag ?? `berth-case-${buildCase.name}`);
        assert.deepEqual(pick(target.config), pick(actual.config), 'config fields');
        assert.equal(target.author, actual.author ?? '', 'author');
        const expectedHistory = historyOf(target.history);
        const actualHistory = historyOf(actual.history).map((h, i) => {
          // COPY --from hashes come from a stage's files inside dockerd; berth names the stage instead.
          const placeholder = /<from:[^>]*>/.exec(expectedHistory[i]?.created_by ?? '');
          return placeholder && h.created_by ? { ...h, created_by: h.created_by.replace(/(file|dir|multi):[0-9a-f]{64}/, placeholder[0]) } : h;
        });
        assert.deepEqual(expectedHistory, actualHistory, 'history');

        if (buildCase.listContextAt !== undefined && buildCase.catFile !== undefined) {
          const seen = (await dockerd.docker(['run', '--pull', 'never', '--rm', '--network', 'none', buildCase.tag ?? `berth-case-${buildCase.name}`, 'cat', buildCase.catFile])).stdout;
          const root = buildCase.listContextAt;
          const expected = new Set([root]);
          for (const entry of entries) {
            const parts = entry.path.split('/');
            for (let i = 1; i <= parts.length; i++) expected.add(`${root}/${parts.slice(0, i).join('/')}`);
          }
          assert.deepEqual(seen.split('\n').filter((l) => l !== ''), [...expected].sort(), 'the files dockerd received');
        }
        if (buildCase.expectFile !== undefined && buildCase.catFile !== undefined && buildCase.listContextAt === undefined) {
          const seen = (await dockerd.docker(['run', '--pull', 'never', '--rm', '--network', 'none', buildCase.tag ?? `berth-case-${buildCase.name}`, 'cat', buildCase.catFile])).stdout;
          assert.deepEqual(seen.split('\n').filter((l) => l !== ''), buildCase.expectFile);
        }
      });
    }
  });
});
