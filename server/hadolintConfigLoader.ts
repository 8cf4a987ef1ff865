// Finds and reads the .hadolint.yaml that applies to a Dockerfile, the way hadolint does:
// the nearest one in the file's directory or above it, else the user's config directory.
// Files are re-read only when their modification time changes.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EMPTY_HADOLINT_CONFIG, parseHadolintConfig, type HadolintConfig } from './service/hadolintConfig';

const NAMES = ['.hadolint.yaml', '.hadolint.yml'];

interface Entry {
  mtimeMs: number;
  config: HadolintConfig;
}

export class HadolintConfigLoader {
  private readonly cache = new Map<string, Entry>();
  private readonly reported = new Set<string>();

  constructor(private readonly onError: (path: string, message: string) => void) {}

  /** The configuration for the Dockerfile at `filePath` (an absolute path). */
  configFor(filePath: string): HadolintConfig {
    for (const candidate of this.candidates(filePath)) {
      const entry = this.read(candidate);
      if (entry) return entry.config;
    }
    return EMPTY_HADOLINT_CONFIG;
  }

  private *candidates(filePath: string): Generator<string> {
    let dir = dirname(filePath);
    for (;;) {
      for (const name of NAMES) yield join(dir, name);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    const xdg = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    for (const name of ['hadolint.yaml', 'hadolint.yml']) yield join(xdg, name);
  }

  private read(path: string): Entry | undefined {
    let mtimeMs: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) return undefined;
      mtimeMs = stat.mtimeMs;
    } catch {
      return undefined;
    }
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      this.report(path, mtimeMs, `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    const result = parseHadolintConfig(text, path);
    if (result.error) this.report(path, mtimeMs, result.error);
    const entry = { mtimeMs, config: result.config };
    this.cache.set(path, entry);
    return entry;
  }

  private report(path: string, mtimeMs: number, message: string): void {
    const key = `${path}@${mtimeMs}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.onError(path, message);
  }
}
