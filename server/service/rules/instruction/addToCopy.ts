// BH003: ADD has magic (remote URLs, git repositories, tar auto-extraction). For plain local
// files COPY says what is meant and cannot surprise anyone by unpacking an archive.
import type { Rule } from '../rule';
import { documentOf, flagsOf, headerArguments, isHeredocMarker, jsonForm, keywordOf, matchCase, replace, unquote } from './support';

/** Flags COPY accepts too; any other ADD flag (--checksum, --keep-git-dir, --unpack) means ADD is wanted. */
const SHARED_FLAGS = new Set(['chown', 'chmod', 'link', 'exclude', 'parents']);

/** Suffixes ADD unpacks (tar, optionally compressed), plus bare compressed files, to stay conservative. */
const ARCHIVE = /\.(tar|tgz|tb2|tbz|tbz2|txz|tlz|tzst|tz|taz|tar\.(gz|bz2|xz|zst|lz|lzma|lz4|z)|gz|bz2|xz|zst|lz|lzma|lz4|z)$/i;

const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Git sources ADD can clone: `git@host:repo`, `*.git`, `*.git#ref`. */
const GIT = /^git@|\.git(#.*)?$/i;

/** Whether ADD is needed for this source (or it cannot be told statically). */
function needsAdd(source: string): boolean {
  const path = unquote(source);
  return path.includes('$') || isHeredocMarker(path) || URL.test(path) || GIT.test(path) || ARCHIVE.test(path);
}

export const addInsteadOfCopy: Rule = {
  id: 'BH003',
  hadolint: ['DL3020'],
  name: 'add-instead-of-copy',
  defaultSeverity: 'warning',
  description: 'ADD also downloads URLs and unpacks archives; COPY is explicit about copying local files.',
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    return ctx.dockerfile.getInstructions().flatMap((instruction) => {
      if (keywordOf(instruction) !== 'ADD') return [];
      if (flagsOf(instruction).some((flag) => !SHARED_FLAGS.has(flag.getName().toLowerCase()))) return [];
      const json = jsonForm(instruction, document);
      const words = json ? json.map((e) => e.value) : headerArguments(instruction, document, escapeChar).map((a) => a.getValue());
      if (words.length < 2) return [];
      const sources = words.slice(0, -1);
      if (sources.some(needsAdd)) return [];
      const keyword = instruction.getInstructionRange();
      return [
        {
          range: keyword,
          message: `ADD only copies local files here (${sources.join(', ')}); use COPY, which cannot unexpectedly fetch URLs or unpack archives.`,
          fix: { title: 'Replace ADD with COPY', edits: [replace(keyword, matchCase(instruction.getInstruction(), 'COPY'))] },
        },
      ];
    });
  },
};
