// Builds the bundles, then runs every test file under test/ with Node's own runner.
// Arguments narrow the run: `npm test -- lsp` runs only files whose path contains "lsp".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer } from './codeServer.mjs';
import { ensureSystemPackages } from './systemPackages.mjs';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'fixtures') out.push(...findTests(path));
    } else if (name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out.sort();
}

const filters = process.argv.slice(2);
const files = findTests('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ')}`);
  process.exit(1);
}

ensureSystemPackages();
// The end-to-end tests run VS Code in code-server; its first install takes minutes, so it happens
// here, before any test's clock starts.
if (files.some((f) => f.split(/[\\/]/).includes('e2e'))) ensureCodeServer();

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
