// LSP benchmark: berth's language server (dist/server.js) against the reference
// dockerfile-language-server-nodejs, driven through the same script and the same client.
//
//   npm run bench:lsp -- [--rounds 5] [--only berth|reference] [--changes 30]
//                        [--completions 10] [--lines 3000] [--seed 42] [--timeout 30000]
//                        [--berth-server dist/server.js]
//
// Each round starts a fresh server process per server (alternating berth, reference, berth, ...),
// initializes it, then measures on a generated Dockerfile:
//   - didOpen → first publishDiagnostics
//   - full-text didChange → its diagnostics (alternating between two texts)
//   - one-character incremental didChange → its diagnostics (insert, then delete, ...)
//   - textDocument/completion at a few positions
// and reports medians across rounds, with ratios berth/reference. Results also go to
// bench/results/lsp.json. The process exits non-zero only when a server cannot be benchmarked.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import type {
  CompletionItem,
  CompletionList,
  InitializeResult,
  Position,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import { LspClient } from '../../test/support/lspClient';
import { generateDockerfile, type GeneratedDockerfile, type Probes } from './generate';

const ROOT = resolve(__dirname, '..', '..');
const DEFAULT_BERTH_SERVER = join(ROOT, 'dist', 'server.js');
const REFERENCE_PKG = join(ROOT, 'node_modules', 'dockerfile-language-server-nodejs');
const REFERENCE_SERVER = join(REFERENCE_PKG, 'bin', 'docker-langserver');
const RESULTS = join(ROOT, 'bench', 'results', 'lsp.json');

type ServerId = 'berth' | 'reference';

interface Options {
  rounds: number;
  only: ServerId | null;
  changes: number;
  completions: number;
  lines: number;
  seed: number;
  timeoutMs: number;
  /** The berth bundle to run: dist/server.js, or an earlier build kept for a before/after comparison. */
  berthServer: string;
}

function usage(): string {
  return [
    'usage: npm run bench:lsp -- [options]',
    '  --rounds N       rounds per server, alternating berth/reference (default 5)',
    '  --only S         benchmark only "berth" or "reference"',
    '  --changes N      didChange samples per round and kind (default 30)',
    '  --completions N  completion requests per position per round (default 10)',
    '  --lines N        length of the generated Dockerfile (default 3000)',
    '  --seed N         generator seed (default 42)',
    '  --timeout MS     give up waiting for one response after MS (default 30000)',
    '  --berth-server F berth bundle to run instead of dist/server.js (e.g. a copy of an earlier build)',
  ].join('\n');
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { rounds: 5, only: null, changes: 30, completions: 10, lines: 3000, seed: 42, timeoutMs: 30000, berthServer: DEFAULT_BERTH_SERVER };
  const int = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} needs an integer >= ${min}, got ${value ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--rounds': opts.rounds = int(flag, value(), 1); break;
      case '--changes': opts.changes = int(flag, value(), 2); break;
      case '--completions': opts.completions = int(flag, value(), 1); break;
      case '--lines': opts.lines = int(flag, value(), 200); break;
      case '--seed': opts.seed = int(flag, value(), 0); break;
      case '--timeout': opts.timeoutMs = int(flag, value(), 100); break;
      case '--berth-server': {
        const v = value();
        if (!v) throw new UsageError('--berth-server needs a file');
        opts.berthServer = resolve(v);
        break;
      }
      case '--only': {
        const v = value();
        if (v !== 'berth' && v !== 'reference') throw new UsageError(`--only takes "berth" or "reference", got ${v ?? 'nothing'}`);
        opts.only = v;
        break;
      }
      case '-h':
      case '--help':
        console.log(usage());
        process.exit(0);
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return opts;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Servers

interface ServerSpec {
  id: ServerId;
  label: string;
  command: string;
  args: string[];
  version: string;
  /** How the command is shown: relative to the project, without snapshot paths. */
  display: string;
  /** sha256 (first 12 hex digits) of the server's entry file. */
  build: string;
}

function shortHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
}

let snapshotDir: string | null = null;
function removeSnapshot(): void {
  if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  snapshotDir = null;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

function serverSpecs(only: ServerId | null, berthServer: string): { specs: ServerSpec[]; warnings: string[] } {
  const specs: ServerSpec[] = [];
  const warnings: string[] = [];
  if (only !== 'reference') {
    if (berthServer !== DEFAULT_BERTH_SERVER && !existsSync(berthServer)) {
      throw new SetupError(`--berth-server: ${berthServer} does not exist.`);
    }
    if (!existsSync(berthServer)) {
      throw new SetupError(
        `berth's server is not built: ${relative(ROOT, berthServer)} does not exist.\n` +
          'Run `npm run build` first, or benchmark the reference alone with `npm run bench:lsp -- --only reference`.',
      );
    }
    const serverDir = join(ROOT, 'server');
    if (berthServer === DEFAULT_BERTH_SERVER && existsSync(serverDir) && newestMtime(serverDir) > statSync(berthServer).mtimeMs) {
      warnings.push(`${relative(ROOT, berthServer)} is older than sources under server/: run \`npm run build\` to benchmark the current code.`);
    }
    // dist/server.js is a self-contained bundle. Run a copy of it, so that a rebuild during the
    // run (npm test rebuilds dist/) cannot mix two builds in one benchmark.
    snapshotDir = mkdtempSync(join(os.tmpdir(), 'berth-bench-'));
    const snapshot = join(snapshotDir, 'server.js');
    copyFileSync(berthServer, snapshot);
    specs.push({
      id: 'berth',
      label: 'berth',
      command: process.execPath,
      args: [snapshot, '--stdio'],
      version: String(readJson(join(ROOT, 'package.json')).version),
      display: `node ${relative(ROOT, berthServer)} --stdio (a copy taken at start)`,
      build: shortHash(snapshot),
    });
  }
  if (only !== 'berth') {
    if (!existsSync(REFERENCE_SERVER)) {
      throw new SetupError(`reference server not found at ${relative(ROOT, REFERENCE_SERVER)}: run \`npm ci\`.`);
    }
    specs.push({
      id: 'reference',
      label: 'reference',
      command: process.execPath,
      args: [REFERENCE_SERVER, '--stdio'],
      version: String(readJson(join(REFERENCE_PKG, 'package.json')).version),
      display: `node ${relative(ROOT, REFERENCE_SERVER)} --stdio`,
      build: shortHash(join(REFERENCE_PKG, 'lib', 'server.js')),
    });
  }
  return { specs, warnings };
}

class SetupError extends Error {}

/**
 * Settings answered to workspace/configuration. Both servers get the same values under their
 * own prefix: the reference reads `docker.languageserver.*`, berth `berth.languageserver.*`.
 * These are the reference's defaults (every check a warning, formatter defaults), stated
 * explicitly so neither server falls back to something different.
 */
function benchSettings(): Record<string, unknown> {
  const languageserver = {
    diagnostics: {
      deprecatedMaintainer: 'warning',
      directiveCasing: 'warning',
      emptyContinuationLine: 'warning',
      instructionCasing: 'warning',
      instructionCmdMultiple: 'warning',
      instructionEntrypointMultiple: 'warning',
      instructionHealthcheckMultiple: 'warning',
      instructionJSONInSingleQuotes: 'warning',
      instructionWorkdirRelative: 'warning',
    },
    formatter: { ignoreMultilineInstructions: false },
  };
  return {
    docker: { languageserver: structuredClone(languageserver) },
    berth: { languageserver: structuredClone(languageserver) },
  };
}

// ---------------------------------------------------------------------------------------------
// One round against one server

const COMPLETION_PROBES: { key: keyof Probes; label: string }[] = [
  { key: 'emptyLine', label: 'completion: empty line (instructions)' },
  { key: 'dollarInRun', label: 'completion: after $ in RUN (variables)' },
  { key: 'copyFlag', label: 'completion: after COPY -- (flags)' },
  { key: 'fromStage', label: 'completion: after FROM (stage)' },
];

interface RoundResult {
  server: ServerId;
  round: number;
  serverInfo: InitializeResult['serverInfo'] | null;
  /** spawn → initialize response (not part of the metrics; shown for context). */
  startupMs: number;
  openMs: number;
  openDiagnostics: number;
  fullChangeMs: number[];
  incrementalChangeMs: number[];
  completionMs: Record<string, number[]>;
  completionItems: Record<string, number>;
  /** Diagnostics publishes seen beyond the ones awaited (e.g. a server publishing twice per change). */
  extraPublishes: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, client: LspClient): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const stderr = client.stderr.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`timed out after ${ms} ms waiting for ${what}` + (stderr ? `\nserver stderr (tail):\n${stderr}` : '')));
    }, ms);
  });
  const exited = new Promise<never>((_, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      const stderr = client.stderr.trim().split('\n').slice(-15).join('\n');
      reject(new Error(`server exited (code ${code}, signal ${signal}) while waiting for ${what}` + (stderr ? `\nserver stderr (tail):\n${stderr}` : '')));
    };
    client.process.once('exit', onExit);
    void promise.finally(() => client.process.off('exit', onExit)).catch(() => undefined);
  });
  return Promise.race([promise, timeout, exited]).finally(() => clearTimeout(timer));
}

const live = new Set<LspClient>();

async function stopClient(client: LspClient, timeoutMs: number): Promise<void> {
  live.delete(client);
  if (client.process.exitCode !== null || client.process.signalCode !== null) {
    client.connection.dispose();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const stopped = client.stop().then(() => 'stopped' as const, () => 'error' as const);
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.min(timeoutMs, 5000))));
  const outcome = await Promise.race([stopped, late]);
  clearTimeout(timer);
  if (outcome !== 'stopped' && client.process.exitCode === null && client.process.signalCode === null) {
    client.process.kill('SIGKILL');
    await new Promise((r) => (client.process.exitCode !== null || client.process.signalCode !== null ? r(null) : client.process.once('exit', r)));
    client.connection.dispose();
  }
}

function killAll(): void {
  for (const client of live) {
    if (client.process.exitCode === null && client.process.signalCode === null) client.process.kill('SIGKILL');
  }
  live.clear();
}

function itemCount(result: CompletionItem[] | CompletionList | null): number {
  if (!result) return 0;
  return Array.isArray(result) ? result.length : result.items.length;
}

async function runRound(spec: ServerSpec, round: number, doc: GeneratedDockerfile, opts: Options): Promise<RoundResult> {
  const uri = 'file:///bench/Dockerfile';
  const settings = benchSettings();
  const t0 = performance.now();
  const client = LspClient.start(spec.command, spec.args, { settings, cwd: ROOT });
  live.add(client);
  try {
    const spawnError = new Promise<never>((_, reject) => client.process.once('error', (e) => reject(new Error(`cannot start ${spec.label}: ${e.message}`))));
    const init = await Promise.race([withTimeout(client.initialize(), opts.timeoutMs, 'initialize', client), spawnError]);
    const startupMs = performance.now() - t0;

    // Waits for the diagnostics answering `version`: the first publish after `after` whose
    // version (when the server sends one) is at least `version`. Older-version publishes are skipped.
    // `expected` is how many publishes the script has accounted for; any beyond it seen at the
    // next checkpoint were extra (e.g. a server publishing twice per change) and are counted.
    let extraPublishes = 0;
    let expected = client.publishCount(uri);
    const checkpoint = (): void => {
      const now = client.publishCount(uri);
      if (now > expected) extraPublishes += now - expected;
      expected = now;
    };
    const diagnosticsFor = async (after: number, version: number, what: string): Promise<PublishDiagnosticsParams> => {
      let index = after;
      for (;;) {
        const p = await withTimeout(client.nextDiagnostics(uri, index), opts.timeoutMs, what, client);
        if (p.version === undefined || p.version === null || p.version >= version) {
          expected = index + 1;
          return p;
        }
        extraPublishes++;
        index++;
      }
    };

    // 1. didOpen → first diagnostics
    let version = 1;
    checkpoint();
    let after = client.publishCount(uri);
    let start = performance.now();
    await client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version, text: doc.text } });
    const opened = await diagnosticsFor(after, version, 'diagnostics after didOpen');
    const openMs = performance.now() - start;

    // Each change waits for its own diagnostics; count any extra publishes in between.
    const change = async (changes: TextDocumentContentChangeEvent[], what: string): Promise<number> => {
      version++;
      checkpoint();
      after = client.publishCount(uri);
      start = performance.now();
      await client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
      await diagnosticsFor(after, version, what);
      const ms = performance.now() - start;
      return ms;
    };

    // 2a. full-text changes, alternating variant/text so every change changes content
    const fullChangeMs: number[] = [];
    for (let i = 0; i < opts.changes; i++) {
      const text = i % 2 === 0 ? doc.variant : doc.text;
      fullChangeMs.push(await change([{ text }], `diagnostics after full didChange #${i + 1}`));
    }
    if (opts.changes % 2 === 1) await change([{ text: doc.text }], 'diagnostics after resetting the text');

    // 2b. one-character incremental edits: insert "x" inside a package name, then delete it
    const incrementalChangeMs: number[] = [];
    const at = doc.probes.edit;
    for (let i = 0; i < opts.changes; i++) {
      const edit: TextDocumentContentChangeEvent =
        i % 2 === 0
          ? { range: { start: at, end: at }, rangeLength: 0, text: 'x' }
          : { range: { start: at, end: { line: at.line, character: at.character + 1 } }, rangeLength: 1, text: '' };
      incrementalChangeMs.push(await change([edit], `diagnostics after incremental didChange #${i + 1}`));
    }
    if (opts.changes % 2 === 1) {
      await change([{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, rangeLength: 1, text: '' }], 'diagnostics after undoing the edit');
    }

    // 3. completion at each probe (the document is back to doc.text here)
    checkpoint();
    const completionMs: Record<string, number[]> = {};
    const completionItems: Record<string, number> = {};
    for (const probe of COMPLETION_PROBES) {
      const position: Position = doc.probes[probe.key];
      const samples: number[] = [];
      let items = 0;
      for (let i = 0; i < opts.completions; i++) {
        start = performance.now();
        const result = await withTimeout(
          client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', {
            textDocument: { uri },
            position,
            context: { triggerKind: 1 },
          }),
          opts.timeoutMs,
          `completion at ${probe.key} (${position.line}:${position.character})`,
          client,
        );
        samples.push(performance.now() - start);
        items = itemCount(result);
      }
      completionMs[probe.key] = samples;
      completionItems[probe.key] = items;
    }

    checkpoint();
    return {
      server: spec.id,
      round,
      serverInfo: init.serverInfo ?? null,
      startupMs,
      openMs,
      openDiagnostics: opened.diagnostics.length,
      fullChangeMs,
      incrementalChangeMs,
      completionMs,
      completionItems,
      extraPublishes,
    };
  } finally {
    await stopClient(client, opts.timeoutMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and report

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Metric {
  key: string;
  label: string;
  /** One value per round: the round's own median for repeated samples. */
  perRound: (r: RoundResult) => number;
}

const METRICS: Metric[] = [
  { key: 'startup', label: 'startup: spawn → initialize (context)', perRound: (r) => r.startupMs },
  { key: 'open', label: 'didOpen → first diagnostics', perRound: (r) => r.openMs },
  { key: 'fullChange', label: 'full didChange → diagnostics', perRound: (r) => median(r.fullChangeMs) },
  { key: 'incrementalChange', label: '1-char didChange → diagnostics', perRound: (r) => median(r.incrementalChangeMs) },
  ...COMPLETION_PROBES.map((p) => ({ key: `completion.${p.key}`, label: p.label, perRound: (r: RoundResult) => median(r.completionMs[p.key]) })),
];

interface Summary {
  median: number;
  min: number;
  max: number;
  perRound: number[];
}

function summarize(rounds: RoundResult[], metric: Metric): Summary | null {
  if (rounds.length === 0) return null;
  const perRound = rounds.map(metric.perRound);
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound), perRound };
}

function fmt(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function cell(s: Summary | null): string {
  return s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '—';
}

function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const { specs, warnings } = serverSpecs(opts.only, opts.berthServer);
  const doc = generateDockerfile(opts.lines, opts.seed);

  console.log('berth LSP benchmark');
  console.log(`  node ${process.version} on ${os.platform()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  document: generated Dockerfile, ${doc.lines} lines, ${doc.stages} stages, ${(doc.text.length / 1024).toFixed(0)} KiB (seed ${opts.seed})`);
  console.log(`  rounds: ${opts.rounds} per server, alternating ${specs.map((s) => s.label).join(' / ')}; fresh process per round`);
  console.log(`  per round: 1 didOpen, ${opts.changes} full + ${opts.changes} one-character didChange, ${opts.completions} completions × ${COMPLETION_PROBES.length} positions`);
  for (const spec of specs) {
    console.log(`  ${spec.label.padEnd(9)} v${spec.version} [sha256 ${spec.build}]: ${spec.display}`);
  }
  for (const w of warnings) console.log(`  warning: ${w}`);
  console.log('');

  const results: Record<ServerId, RoundResult[]> = { berth: [], reference: [] };
  for (let round = 1; round <= opts.rounds; round++) {
    for (const spec of specs) {
      let r: RoundResult;
      try {
        r = await runRound(spec, round, doc, opts);
      } catch (e) {
        throw new Error(`${spec.label}, round ${round}: ${(e as Error).message}`);
      }
      results[spec.id].push(r);
      const completion = COMPLETION_PROBES.map((p) => fmt(median(r.completionMs[p.key]))).join('/');
      console.log(
        `  round ${round} ${spec.label.padEnd(9)} start ${fmt(r.startupMs)}  open ${fmt(r.openMs)}  full ${fmt(median(r.fullChangeMs))}` +
          `  1-char ${fmt(median(r.incrementalChangeMs))}  completion ${completion} ms`,
      );
    }
  }
  console.log('');

  const have = (id: ServerId): boolean => results[id].length > 0;
  const header = ['metric (ms; median of round medians, min–max across rounds)'];
  const align = [false];
  for (const id of ['berth', 'reference'] as const) {
    if (have(id)) {
      header.push(id);
      align.push(true);
    }
  }
  const both = have('berth') && have('reference');
  if (both) {
    header.push('berth/ref');
    align.push(true);
  }
  const summary: Record<string, { label: string; berth: Summary | null; reference: Summary | null; ratio: number | null }> = {};
  const rows = METRICS.map((m) => {
    const b = summarize(results.berth, m);
    const ref = summarize(results.reference, m);
    const ratio = b && ref ? b.median / ref.median : null;
    summary[m.key] = { label: m.label, berth: b, reference: ref, ratio };
    const row = [m.label];
    if (have('berth')) row.push(cell(b));
    if (have('reference')) row.push(cell(ref));
    if (both) row.push(ratio === null || !Number.isFinite(ratio) ? '—' : ratio.toFixed(2));
    return row;
  });
  console.log(table(header, rows, align));
  console.log('');

  // What each server actually returned, so a fast-but-empty answer is visible.
  const facts: string[][] = [];
  const factHeader = ['returned (last round)'];
  const factAlign = [false];
  for (const id of ['berth', 'reference'] as const) {
    if (have(id)) {
      factHeader.push(id);
      factAlign.push(true);
    }
  }
  const last = (id: ServerId): RoundResult | undefined => results[id][results[id].length - 1];
  const factRow = (label: string, f: (r: RoundResult) => string): void => {
    const row = [label];
    for (const id of ['berth', 'reference'] as const) if (have(id)) row.push(f(last(id)!));
    facts.push(row);
  };
  factRow('diagnostics on open', (r) => String(r.openDiagnostics));
  for (const p of COMPLETION_PROBES) factRow(`items: ${p.label.replace('completion: ', '')}`, (r) => String(r.completionItems[p.key]));
  factRow('extra diagnostics publishes (all rounds)', (r) => String(results[r.server].reduce((n, x) => n + x.extraPublishes, 0)));
  factRow('serverInfo', (r) => (r.serverInfo ? `${r.serverInfo.name}${r.serverInfo.version ? ' ' + r.serverInfo.version : ''}` : '(none)'));
  console.log(table(factHeader, facts, factAlign));
  console.log('');
  if (both) console.log('ratio = berth / reference: below 1 means berth is faster.');
  console.log('The machine is noisy: figures are medians over rounds (each round\'s own median for repeated samples);');
  console.log('compare ratios, not absolute times, and rerun with --rounds N for more confidence.');

  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? null,
        options: opts,
        document: { lines: doc.lines, stages: doc.stages, bytes: Buffer.byteLength(doc.text), probes: doc.probes },
        servers: specs.map((s) => ({ id: s.id, version: s.version, sha256: s.build, command: s.display })),
        settings: benchSettings(),
        summary,
        rounds: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nresults written to ${relative(ROOT, RESULTS)}`);
}

process.on('SIGINT', () => {
  killAll();
  removeSnapshot();
  process.exit(130);
});
process.on('SIGTERM', () => {
  killAll();
  removeSnapshot();
  process.exit(143);
});
process.on('exit', () => {
  killAll();
  removeSnapshot();
});

main().then(
  () => process.exit(0),
  (e: unknown) => {
    killAll();
    if (e instanceof UsageError) console.error(`bench:lsp: ${e.message}\n${usage()}`);
    else if (e instanceof SetupError) console.error(`bench:lsp: ${e.message}`);
    else console.error(`bench:lsp: failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
