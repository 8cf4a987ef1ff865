// Container benchmark: the stock docker CLI against `berth serve` and against dockerd
// (Debian's docker.io on private paths, no bridge), same machine, same busybox image,
// alternating berth, dockerd, berth, ... so drift hits both alike.
//
//   npm run bench:run -- [--rounds 15] [--concurrent 50] [--exec-rounds 15]
//
// Measures, as wall time of the CLI process (what a user waits for):
//   - `docker run --rm --network none busybox true`
//   - `docker exec C true` into a running container
//   - N containers `docker run -d … sleep` started concurrently, then `docker rm -f` of all N
// and prints medians with ratios berth/dockerd. Results also go to bench/results/run.json.
// Needs root (both engines run containers); the cgroup fix of ENVIRONMENT.md is applied.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnServe } from '../../test/runtime/api/berthServe';
import { makeBusyboxArchive } from '../../test/runtime/api/busyboxArchive';
import { prepareContainerHost } from '../../test/runtime/container/containerHost';
import { startDockerd } from '../../test/runtime/image/dockerd';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results', 'run.json');

interface Options {
  rounds: number;
  execRounds: number;
  concurrent: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { rounds: 15, execRounds: 15, concurrent: 50 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    const key = argv[i];
    if (!['--rounds', '--exec-rounds', '--concurrent'].includes(key) || !Number.isInteger(value) || value < 1) {
      console.error('usage: npm run bench:run -- [--rounds N] [--exec-rounds N] [--concurrent N]');
      process.exit(2);
    }
    if (key === '--rounds') options.rounds = value;
    else if (key === '--exec-rounds') options.execRounds = value;
    else options.concurrent = value;
    i++;
  }
  return options;
}

interface Engine {
  name: 'berth' | 'dockerd';
  env: NodeJS.ProcessEnv;
}

function docker(engine: Engine, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('docker', args, { env: engine.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${engine.name}: docker ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolvePromise(stdout);
    });
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Samples = Record<Engine['name'], number[]>;

/** Runs `measure` `rounds` times per engine, alternating; a failing engine is reported, not fatal. */
async function alternate(engines: Engine[], rounds: number, measure: (engine: Engine) => Promise<number>): Promise<{ samples: Samples; errors: Partial<Record<Engine['name'], string>> }> {
  const samples: Samples = { berth: [], dockerd: [] };
  const errors: Partial<Record<Engine['name'], string>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const engine of engines) {
      if (errors[engine.name] !== undefined) continue;
      try {
        samples[engine.name].push(await measure(engine));
      } catch (error) {
        errors[engine.name] = (error as Error).message.split('\n')[0];
      }
    }
  }
  return { samples, errors };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('bench:run needs root: both engines run containers');
  await prepareContainerHost();
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-run-'));
  const rows: { metric: string; berth?: number; dockerd?: number; ratio?: number; note?: string }[] = [];
  let serve: ReturnType<typeof spawnServe> | undefined;
  let dockerd: Awaited<ReturnType<typeof startDockerd>> | undefined;
  try {
    // The bundle under test is the current source.
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    const busybox = await makeBusyboxArchive(join(dir, 'image'));
    serve = spawnServe(join(dir, 'berth'), join(dir, 'berth.sock'));
    dockerd = await startDockerd();
    const ready = await serve.ready;
    const engines: Engine[] = [
      { name: 'berth', env: { ...process.env, DOCKER_HOST: ready.docker, DOCKER_CONFIG: join(dir, 'cli'), DOCKER_CLI_HINTS: 'false' } },
      { name: 'dockerd', env: dockerd.env },
    ];
    for (const engine of engines) await docker(engine, ['load', '-i', busybox.archive]);
    // One warm-up each: first-use costs (unpacking the layer, page cache) are not what we measure.
    for (const engine of engines) await docker(engine, ['run', '--rm', '--network', 'none', 'busybox', 'true']);

    const record = (metric: string, result: Awaited<ReturnType<typeof alternate>>): void => {
      const b = result.samples.berth.length > 0 ? median(result.samples.berth) : undefined;
      const d = result.samples.dockerd.length > 0 ? median(result.samples.dockerd) : undefined;
      const note = Object.entries(result.errors).map(([name, message]) => `${name}: ${message}`).join('; ') || undefined;
      rows.push({ metric, berth: b, dockerd: d, ratio: b !== undefined && d !== undefined ? b / d : undefined, note });
    };

    record('docker run --rm busybox true', await alternate(engines, options.rounds, (engine) => timed(() => docker(engine, ['run', '--rm', '--network', 'none', 'busybox', 'true']))));

    for (const engine of engines) await docker(engine, ['run', '-d', '--name', 'bench-exec', '--network', 'none', 'busybox', 'sleep', '100000']);
    record('docker exec C true', await alternate(engines, options.execRounds, (engine) => timed(() => docker(engine, ['exec', 'bench-exec', 'true']))));
    for (const engine of engines) await docker(engine, ['rm', '-f', 'bench-exec']);

    const names = Array.from({ length: options.concurrent }, (_, i) => `bench-${i}`);
    const startAll = await alternate(engines, 1, (engine) => timed(() => Promise.all(names.map((name) => docker(engine, ['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '100000'])))));
    record(`${options.concurrent} × docker run -d, concurrently (total)`, startAll);
    const removeAll = await alternate(engines, 1, (engine) => timed(() => docker(engine, ['rm', '-f', ...names])));
    record(`docker rm -f of the ${options.concurrent} (total)`, removeAll);
  } finally {
    const child = serve?.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
    await dockerd?.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const format = (ms: number | undefined): string => (ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  console.log(`\nmedians over ${options.rounds} rounds (exec ${options.execRounds}), alternating; ratio = berth / dockerd\n`);
  console.log(`| metric | berth | dockerd | ratio |\n| --- | --- | --- | --- |`);
  for (const row of rows) console.log(`| ${row.metric} | ${format(row.berth)} | ${format(row.dockerd)} | ${row.ratio === undefined ? '—' : row.ratio.toFixed(2)} |${row.note ? ` ${row.note}` : ''}`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify({ date: new Date().toISOString(), options, rows }, null, 2) + '\n');
}

main().catch((error: Error) => {
  console.error(`bench:run: ${error.message}`);
  process.exitCode = 1;
});
