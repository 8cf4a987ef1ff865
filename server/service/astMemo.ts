// Caches two derived values of dockerfile-ast's parse tree on the tree itself.
//
// dockerfile-ast recomputes an instruction's arguments (a character scan of its text) and an
// image's FROM list (a scan of every instruction) on every call. dockerfile-utils' validator,
// the language service and berth's rules call both inside loops over instructions, which makes
// validating a Dockerfile quadratic in its length: 94 ms for a 3,000-line file here, and minutes
// for a 5 MB one. A parse tree does not change once built (the parser only adds instructions
// while building, and adding clears the FROM cache), so caching per instance is safe, and callers
// get a fresh array each time (see below). Measured on the 3,000-line benchmark file:
// validation 93 ms → 25 ms, parse 45 ms → 13 ms, berth's rules 54 ms → 29 ms.
//
// Callers get a new array on every call, since some shift flags off it. One library method
// modifies an argument's range in place (From.getImageNameRange, through getImageRange); that
// accessor hands out a copy. test/unit/astMemo.test.ts fails if any result changes.
//
// dockerfile-ast 0.7.1 is pinned exactly in package.json; test/unit/astMemo.test.ts checks that
// results with the caches equal results without them.
import { DockerfileParser, From, Instruction, type Dockerfile } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import { ImageTemplate } from 'dockerfile-ast/lib/imageTemplate';

const PATCHED = Symbol.for('berth.dockerfile-ast.memo');

type Method = (this: object) => unknown[];

function copyRange(r: Range): Range {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

function memoizeArrayMethod(proto: object, name: string): WeakMap<object, unknown[]> {
  const original = (proto as Record<string, Method>)[name];
  if (typeof original !== 'function') throw new Error(`dockerfile-ast has no ${name}; update server/service/astMemo.ts`);
  const cache = new WeakMap<object, unknown[]>();
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: object): unknown[] {
      let value = cache.get(this);
      if (value === undefined) {
        value = original.call(this);
        cache.set(this, value);
      }
      return value.slice();
    },
  });
  return cache;
}

export function installAstMemo(): void {
  const registry = globalThis as { [PATCHED]?: boolean };
  if (registry[PATCHED]) return;
  registry[PATCHED] = true;

  memoizeArrayMethod(Instruction.prototype, 'getRawArguments');
  // From.getImageNameRange() and getRegistryRange() modify the range getImageRange() gives
  // them, which is the cached argument's own range: give them a copy.
  const imageRange = From.prototype.getImageRange;
  From.prototype.getImageRange = function (this: From): Range | null {
    const range = imageRange.call(this);
    return range ? copyRange(range) : null;
  };
  const froms = memoizeArrayMethod(ImageTemplate.prototype, 'getFROMs');
  const addInstruction = ImageTemplate.prototype.addInstruction;
  ImageTemplate.prototype.addInstruction = function (this: ImageTemplate, instruction: Instruction): void {
    froms.delete(this);
    addInstruction.call(this, instruction);
  };

  // Every feature request parses the document again (the library's and berth's alike); the
  // last parse is reused when the text is the same, so validation, rules and the requests that
  // follow an edit share one tree.
  const parse = DockerfileParser.parse.bind(DockerfileParser);
  let lastContent: string | undefined;
  let lastTree: Dockerfile | undefined;
  DockerfileParser.parse = (content: string): Dockerfile => {
    if (content !== lastContent || lastTree === undefined) {
      lastTree = parse(content);
      lastContent = content;
    }
    return lastTree;
  };
}

installAstMemo();
