// Which findings the user has silenced: `# hadolint ignore=DL3008,DL3009` and
// `# berth ignore=BH003` on the comment lines directly above an instruction, their
// `global ignore=` forms for the whole file, and the `ignored:` list of .hadolint.yaml.
import type { Dockerfile } from 'dockerfile-ast';
import type { HadolintConfig } from './hadolintConfig';

const PRAGMA = /^\s*#\s*(hadolint|berth)\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\s]+?)\s*$/;

export interface Suppressions {
  /** True when any of `ids` (BH and DL ids, upper case) is silenced at `line`. */
  isSuppressed(ids: readonly string[], line: number): boolean;
}

export interface Pragma {
  line: number;
  global: boolean;
  ids: string[];
}

export function parsePragma(text: string, line: number): Pragma | undefined {
  const match = PRAGMA.exec(text);
  if (!match) return undefined;
  const ids = match[3]
    .split(/[,\s]+/)
    .map((id) => id.trim().toUpperCase())
    .filter((id) => id.length > 0);
  return { line, global: match[2] !== undefined, ids };
}

export function collectSuppressions(dockerfile: Dockerfile, lines: readonly string[], config: HadolintConfig): Suppressions {
  const global = new Set(config.ignored);
  // For each instruction, the ids silenced by the comment block right above it, keyed by every
  // line the instruction spans so a finding on a continuation line is covered too.
  const byLine = new Map<number, Set<string>>();
  for (let i = 0; i < lines.length; i++) {
    const pragma = parsePragma(lines[i], i);
    if (pragma?.global) for (const id of pragma.ids) global.add(id);
  }
  for (const instruction of dockerfile.getInstructions()) {
    const range = instruction.getRange();
    const ids = new Set<string>();
    for (let line = range.start.line - 1; line >= 0 && /^\s*#/.test(lines[line] ?? ''); line--) {
      const pragma = parsePragma(lines[line], line);
      if (pragma && !pragma.global) for (const id of pragma.ids) ids.add(id);
    }
    if (ids.size > 0) for (let line = range.start.line; line <= range.end.line; line++) byLine.set(line, ids);
  }
  return {
    isSuppressed(ids, line) {
      const local = byLine.get(line);
      return ids.some((id) => global.has(id) || (local?.has(id) ?? false));
    },
  };
}
