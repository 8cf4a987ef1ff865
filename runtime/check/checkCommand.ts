// `berth check [--root DIR]`: verifies an agent's image store the way `fsck` verifies a file
// system (every blob hashes to its name, every name leads to a complete image) and says what is
// wrong and what to do. Read-only, so it is safe while an agent runs on the same root.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseServeArgs, UsageError } from '../serve/serveCommand';
import { ContentStore } from '../store/contentStore';
import { ImageIndex } from '../store/imageIndex';
import { checkStore } from '../store/storeCheck';

export const CHECK_USAGE = `Usage: berth check [--root DIR]

  --root DIR   the agent's root (default: ~/.local/share/berth)

Exits 0 when the image store is consistent, 1 with one line per problem otherwise.
`;

export async function check(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const rootArgs = argv[0] === '--root' ? argv.slice(0, 2) : argv.slice(0, 1).filter((a) => a.startsWith('--root='));
  const extra = argv.slice(rootArgs.length);
  if (extra.length > 0) throw new UsageError(`unexpected ${JSON.stringify(extra[0])} for check; usage: berth check [--root DIR]`);
  const { root } = parseServeArgs(rootArgs);
  const layout = join(root, 'images');
  if (!(await stat(join(layout, 'oci-layout')).catch(() => undefined))) {
    throw new Error(`${root} holds no berth image store (no ${join(layout, 'oci-layout')}); pass the --root the agent uses`);
  }
  const result = await checkStore(await ContentStore.open(layout), new ImageIndex(layout));
  for (const problem of result.problems) out.write(`problem: ${problem}\n`);
  out.write(`${result.names} names, ${result.blobs} blobs: ${result.problems.length === 0 ? 'consistent' : `${result.problems.length} problems`}\n`);
  if (result.problems.length > 0) {
    out.write('Remove the images named above (docker rmi) and load or pull them again; blobs no image uses go with the next rmi or image prune.\n');
  }
  return result.problems.length === 0 ? 0 : 1;
}
