// Bundles the three entry points into dist/. One bundle per process keeps start-up fast
// (no module resolution across hundreds of files) and lets the .vsix ship without node_modules.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  // `vscode` is provided by the extension host at run time.
  external: ['vscode'],
};

const entries = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['server/server.ts'], outfile: 'dist/server.js' },
  // node-unix-socket loads a prebuilt native addon (conmon's SEQPACKET attach socket), which
  // esbuild cannot bundle: dist/berth.js requires it from node_modules at run time.
  { entryPoints: ['runtime/cli.ts'], outfile: 'dist/berth.js', external: [...common.external, 'node-unix-socket'] },
];

if (watch) {
  for (const entry of entries) {
    const ctx = await esbuild.context({ ...common, ...entry });
    await ctx.watch();
  }
} else {
  await Promise.all(entries.map((entry) => esbuild.build({ ...common, ...entry })));
}
