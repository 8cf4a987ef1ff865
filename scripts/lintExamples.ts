// `npm run lint:examples`: builds berth, then runs the language server the way an editor does,
// over LSP on stdio, on every Dockerfile in examples/, and prints its diagnostics.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/support/lspClient';

const root = resolve(__dirname, '..');
const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

function dockerfiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...dockerfiles(path));
    else if (/^(Dockerfile|Containerfile)(\..+)?$|\.(dockerfile|containerfile)$/.test(name)) out.push(path);
  }
  return out.sort();
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);

  const server = join(root, 'dist', 'server.js');
  const client = LspClient.start(process.execPath, [server, '--stdio']);
  await client.initialize();
  for (const file of dockerfiles(join(root, 'examples'))) {
    const text = readFileSync(file, 'utf8');
    const diagnostics = await client.open(pathToFileURL(file).href, text);
    const lines = text.split('\n');
    console.log(`\n${relative(root, file)}: ${diagnostics.length} finding(s)`);
    const ordered = [...diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const d of ordered) {
      const where = `${d.range.start.line + 1}:${d.range.start.character + 1}`;
      console.log(`  ${where.padEnd(6)} ${SEVERITY[d.severity ?? 2].padEnd(7)} ${String(d.code ?? '').padEnd(6)} ${d.message}`);
      console.log(`         | ${lines[d.range.start.line]}`);
    }
  }
  await client.stop();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
