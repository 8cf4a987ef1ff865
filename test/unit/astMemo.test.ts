// The parse-tree caches in astMemo.ts must not change any result: diagnostics from
// dockerfile-utils and every berth rule's findings are compared with a process that runs
// without them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateDockerfile } from '../../bench/lsp/generate';

const ROOT = join(__dirname, '..', '..');

const CORPUS = [
  generateDockerfile(600, 7).text,
  readFileSync(join(ROOT, 'examples', 'Dockerfile'), 'utf8'),
  'ARG A=1\nFROM busybox:${A} AS one\nFROM one AS two\nCOPY --from=one /a /b\nFROM two\nRUN <<EOF\napt-get install x\nEOF\n',
  'from ubuntu:latest\nFROM reg.example:5000/ns/img:1.2@sha256:0123 AS x\nFROM --platform=$P busybox\n',
  '# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir `\n  c:\\\nWORKDIR app\n',
];

// Computes every result for the corpus; `memo` decides whether the caches are installed first.
const SCRIPT = (memo: boolean) => `
${memo ? "require('./server/service/astMemo');" : ''}
const { DockerfileParser } = require('dockerfile-ast');
const { validate } = require('dockerfile-utils');
const { allRules } = require('./server/service/rules');
const corpus = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = corpus.map((content) => {
  const dockerfile = DockerfileParser.parse(content);
  return {
    utils: validate(content),
    rules: allRules.map((r) => r.check({ dockerfile, content })),
    // The library's own accessors modify the ranges of arguments they are given; calling them
    // in this order and twice catches a cache that hands out shared objects.
    froms: [0, 1].map(() => dockerfile.getFROMs().map((f) => [f.getImageName(), f.getImageTag(), f.getImage(), f.getImageNameRange(), f.getImageTag(), f.getRegistry(), f.getImageDigest()])),
    args: dockerfile.getInstructions().map((i) => i.getArguments().map((a) => a.getValue())),
  };
});
process.stdout.write(JSON.stringify(out));
`;

function results(memo: boolean): unknown {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT(memo)], {
    cwd: ROOT,
    input: JSON.stringify(CORPUS),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString());
}

test('caching parse trees changes no diagnostic, finding, FROM list or argument list', () => {
  const withMemo = results(true);
  const without = results(false);
  assert.ok(Array.isArray(withMemo) && withMemo.length === CORPUS.length);
  assert.deepEqual(withMemo, without);
});

test('callers get a fresh array each time, so modifying one does not corrupt the cache', async () => {
  await import('../../server/service/astMemo');
  const { DockerfileParser } = await import('dockerfile-ast');
  const dockerfile = DockerfileParser.parse('FROM a:1 AS x\nFROM b:2\nRUN echo one two\n');
  const froms = dockerfile.getFROMs();
  froms.pop();
  assert.equal(dockerfile.getFROMs().length, 2);
  const run = dockerfile.getInstructions()[2];
  const args = run.getArguments();
  args.length = 0;
  assert.deepEqual(run.getArguments().map((a) => a.getValue()), ['echo', 'one', 'two']);
});
