// A real VS Code in the browser for `npm start` and the end-to-end tests: code-server 4.100.3
// (VS Code 1.100, the last that runs on Node 20), installed offline into .tools/ the way
// ../shared/ENVIRONMENT.md describes: its normal install downloads ripgrep and prebuilt
// binaries from the internet, which this machine cannot reach, so install scripts are skipped,
// native modules are rebuilt locally and Debian's ripgrep stands in. Idempotent: a finished
// install leaves a marker and is reused. Needs root for the Debian packages on first use.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './systemPackages.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = join(ROOT, '.tools', `code-server-${CODE_SERVER_VERSION}`);
const PACKAGE = join(TOOLS, 'node_modules', 'code-server');
const DONE = join(TOOLS, '.installed');

// What building code-server's native modules offline needs (kerberos: libkrb5-dev, pkg-config),
// and the ripgrep VS Code's search runs.
const BUILD_PACKAGES = [
  { command: 'krb5-config', pkg: 'libkrb5-dev' },
  { command: 'pkg-config', pkg: 'pkg-config' },
  { command: 'rg', pkg: 'ripgrep' },
];

function run(command, args, cwd, extraEnv = {}) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...extraEnv } });
  if (result.status !== 0) {
    throw new Error(`installing code-server: \`${command} ${args.join(' ')}\` in ${cwd} failed (exit ${result.status ?? result.signal}); remove ${TOOLS} and run again`);
  }
}

function link(target, path) {
  rmSync(path, { force: true, recursive: true });
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

/** The code-server entry point (run it with node), installed first if needed. */
export function ensureCodeServer(log = (line) => console.log(line)) {
  const entry = join(PACKAGE, 'out', 'node', 'entry.js');
  if (existsSync(DONE)) return entry;
  ensureSystemPackages(BUILD_PACKAGES);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${TOOLS} (offline, a few minutes, once)`);
  rmSync(TOOLS, { recursive: true, force: true });
  mkdirSync(TOOLS, { recursive: true });
  writeFileSync(join(TOOLS, 'package.json'), JSON.stringify({ name: 'berth-tools', private: true }) + '\n');
  const quiet = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  run('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], TOOLS, quiet);
  run('npm', ['rebuild', 'argon2'], TOOLS, quiet);
  const vscode = join(PACKAGE, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], vscode, quiet);
  link('/usr/bin/rg', join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'));
  // node-pty's post-install runs `npx node-gyp`: yes to npx's prompt.
  run('npm', ['rebuild'], vscode, { ...quiet, npm_config_yes: 'true' });
  link('node_modules', join(vscode, 'node_modules.asar'));
  link('code-linux.sh', join(vscode, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', join(vscode, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], join(vscode, 'extensions'), quiet);
  writeFileSync(DONE, `${new Date().toISOString()}\n`);
  return entry;
}

// The user settings of every instance berth starts: the folder opens without the
// workspace-trust dialog, and nothing asks for attention or tries to reach the internet.
const SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
};

/**
 * Starts code-server on 127.0.0.1 (a port the kernel picks) with `vsix` installed, opening
 * `folder`. Its user data, extensions and config live under `dir`, so instances never share
 * state. Resolves once it serves, with its URL and `stop()`, which ends code-server and every
 * process it started (its extension host, berth's language server) and resolves when they exit.
 */
export async function startCodeServer({ vsix, folder, dir, log = () => {} }) {
  const entry = ensureCodeServer();
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  const config = join(dir, 'config.yaml');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2) + '\n');
  // Without --config, code-server writes ~/.config/code-server/config.yaml with a password.
  writeFileSync(config, 'auth: none\n');
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  const install = spawnSync(process.execPath, [entry, ...common, '--install-extension', vsix], { encoding: 'utf8' });
  if (install.status !== 0 || !/successfully installed/.test(install.stdout)) {
    throw new Error(`code-server could not install ${vsix} (exit ${install.status ?? install.signal}):\n${install.stdout}${install.stderr}`);
  }
  const args = [entry, ...common, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder];
  // Its own process group, so stop() reaches the extension host and language server too.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  createInterface({ input: child.stderr }).on('line', log);
  const url = await new Promise((resolveUrl, reject) => {
    const lines = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      log(line);
      lines.push(line);
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (match) resolveUrl(match[1]);
    });
    exited.then(({ code, signal }) => reject(new Error(`code-server exited before serving (${code ?? signal}):\n${lines.join('\n')}`)));
  });
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      for (const signal of ['SIGTERM', 'SIGKILL']) {
        try {
          process.kill(-child.pid, signal);
        } catch (e) {
          if (e.code === 'ESRCH') return; // the whole group is gone
          throw e;
        }
        if (await groupGone(child.pid, 10_000)) return;
      }
    })();
    return stopping;
  };
  return { url, stop, exited };
}

/**
 * Waits until no process is left in the group (polling: the kernel has no event for it).
 * The timers stay referenced, so a caller awaiting this keeps Node alive until it is done.
 */
async function groupGone(pgid, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(ensureCodeServer());
}
