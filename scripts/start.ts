// `npm start`: builds and packages berth, installs the .vsix into a real VS Code in the browser
// (code-server, installed into .tools/ on first use), opens examples/ there and prints the URL.
// Runs until Ctrl-C, then stops code-server and everything it started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureCodeServer, startCodeServer } from './codeServer.mjs';
import { packageExtension } from './packageExtension.mjs';

const root = resolve(__dirname, '..');

async function main(): Promise<void> {
  ensureCodeServer();
  const dir = mkdtempSync(join(tmpdir(), 'berth-start-'));
  const vsix = packageExtension({ out: join(dir, 'berth.vsix'), quiet: true });
  const verbose = process.argv.includes('--verbose');
  const server = await startCodeServer({
    vsix,
    folder: join(root, 'examples'),
    dir,
    log: (line: string) => verbose && console.log(`code-server: ${line}`),
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping code-server…');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`
berth is running in VS Code (code-server) on examples/:

    ${server.url}

Open it in a browser on this machine (it listens on 127.0.0.1 only; from elsewhere,
forward the port, e.g. ssh -L). Open the Dockerfile to see berth's diagnostics.
Ctrl-C stops it. (npm run lint:examples prints the same diagnostics without a browser.)`);
  const { code, signal } = await server.exited;
  if (!stopping) {
    rmSync(dir, { recursive: true, force: true });
    console.error(`code-server exited unexpectedly (${code ?? signal}); run npm start -- --verbose to see its log`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
