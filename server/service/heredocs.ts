// Where here-documents live in a Dockerfile. Their bodies are data (a script, a file's
// content), so diagnostics and formatting must never reach into them.
import type { Dockerfile, Heredoc, Instruction } from 'dockerfile-ast';

/**
 * The here-documents of an instruction. dockerfile-ast declares `getHeredocs` protected but
 * implements it on every instruction; this is the one place that relies on that.
 */
export function heredocsOf(instruction: Instruction): Heredoc[] {
  const getter = (instruction as unknown as { getHeredocs?: () => Heredoc[] }).getHeredocs;
  return typeof getter === 'function' ? getter.call(instruction) : [];
}

/** Lines (0-based) that belong to a heredoc body or its closing delimiter. */
export function heredocBodyLines(dockerfile: Dockerfile): Set<number> {
  const lines = new Set<number>();
  for (const instruction of dockerfile.getInstructions()) {
    for (const heredoc of heredocsOf(instruction)) {
      const start = heredoc.getNameRange().start.line + 1;
      const end = heredoc.getDelimiterRange()?.end.line ?? heredoc.getContentRange()?.end.line ?? start - 1;
      for (let line = start; line <= end; line++) lines.add(line);
    }
  }
  return lines;
}
