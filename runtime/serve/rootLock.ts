// One agent per root: the image index assumes a single writer. The lock is a pid file created
// exclusively; one whose process is gone is stale and replaced.
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface RootLock {
  release(): Promise<void>;
}

export async function lockRoot(root: string): Promise<RootLock> {
  const path = join(root, 'agent.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new Error(`another berth agent (pid ${pid}) is serving the root ${root}; stop it first, or pass a different --root`);
    }
    await unlink(path).catch(() => undefined); // stale: its process is gone
  }
  throw new Error(`cannot lock ${root}: ${path} keeps reappearing; is another agent starting right now?`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
