// `npm run package`, and the .vsix that `npm start` and the end-to-end tests install: bundles
// dist/ (scripts/build.mjs), then packs with @vscode/vsce. What goes in is .vscodeignore's
// allowlist. `--build=false` skips the bundling when the caller has just built.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function run(args, what, quiet) {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', quiet ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}): node ${args.join(' ')}\n${result.stdout ?? ''}`);
  }
}

/**
 * Packs the extension into `out` (default: berth-VERSION.vsix in the project root) and returns
 * its path. `quiet` keeps vsce's file listing off stdout (it is shown if packing fails).
 */
export function packageExtension({ out, build = true, quiet = false } = {}) {
  const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const vsix = resolve(out ?? join(ROOT, `${name}-${version}.vsix`));
  if (build) run([join(ROOT, 'scripts', 'build.mjs')], 'bundling', quiet);
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  run([vsce, 'package', '--no-update-package-json', '--out', vsix], 'vsce package', quiet);
  return vsix;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packageExtension({ build: !process.argv.includes('--build=false') });
}
