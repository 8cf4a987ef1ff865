// The extension manifest and the CLI entry: what VS Code and a user's shell load first.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VALIDATOR_KEYS } from '../../server/service/settings';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

test('the manifest targets VS Code 1.100 and points at the bundles', () => {
  assert.equal(manifest.name, 'berth');
  assert.equal(manifest.engines.vscode, '^1.100.0');
  assert.equal(manifest.main, './dist/extension.js');
  assert.ok(existsSync(join(ROOT, 'dist', 'extension.js')), 'npm test builds dist/ first');
  assert.ok(existsSync(join(ROOT, 'dist', 'server.js')));
  assert.ok(existsSync(join(ROOT, 'dist', 'berth.js')));
});

test('languages and grammars point at files whose scope names match', () => {
  const { languages, grammars } = manifest.contributes;
  const dockerfile = languages.find((l: { id: string }) => l.id === 'dockerfile');
  assert.deepEqual(dockerfile.filenames, ['Dockerfile', 'Containerfile']);
  assert.deepEqual(dockerfile.filenamePatterns, ['Dockerfile.*', 'Containerfile.*', '*.dockerfile', '*.containerfile']);
  const ignore = languages.find((l: { id: string }) => l.id === 'dockerignore');
  assert.deepEqual(ignore.filenames, ['.dockerignore', '.containerignore']);
  for (const language of languages) assert.ok(existsSync(join(ROOT, language.configuration)), language.configuration);
  for (const grammar of grammars) {
    const file = JSON.parse(readFileSync(join(ROOT, grammar.path), 'utf8'));
    assert.equal(file.scopeName, grammar.scopeName, grammar.path);
  }
});

test('every server setting is declared for VS Code under berth.languageserver', () => {
  const properties = Object.keys(manifest.contributes.configuration.properties);
  for (const key of VALIDATOR_KEYS) assert.ok(properties.includes(`berth.languageserver.diagnostics.${key}`), key);
  for (const key of ['bestPractices', 'rules', 'formatter.ignoreMultilineInstructions', 'formatter.continuationIndent']) {
    assert.ok(properties.includes(`berth.languageserver.${key}`), key);
  }
});

test('bin/berth answers --version and --help, and rejects unknown verbs with a hint', () => {
  const berth = join(ROOT, 'bin', 'berth');
  assert.equal(execFileSync(berth, ['--version']).toString(), `berth ${manifest.version}\n`);
  assert.match(execFileSync(berth, ['--help']).toString(), /Usage:\n  berth \[--version \| --help\]/);
  const unknown = spawnSync(berth, ['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr.toString(), /unknown command or option 'frobnicate'. Run 'berth --help'/);
});
