// BH019: the builder substitutes `$VAR` in FROM, COPY, ENV, WORKDIR... from ARG and ENV
// declared before the line. An undeclared name silently becomes an empty string, so
// `COPY $SRC /app` copies the whole context and `WORKDIR /opt/$NAME` lands in /opt.
import { Env, type Instruction } from 'dockerfile-ast';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Rule, RuleContext } from '../rule';
import { documentOf, editDistance, findStage, headerLastLine, insert, keywordOf, lineText, matchCase, stagesOf, type Stage } from './support';
import { argDeclarations, scanVariables, type VariableUse } from './variables';

/** Instructions whose arguments the builder expands (RUN, CMD, ENTRYPOINT are the shell's). */
const SUBSTITUTING = new Set(['ADD', 'ARG', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** Predefined in the global scope (FROM lines); a stage sees them only after `ARG NAME`. */
const PLATFORM_ARGS = new Set(['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT']);

/** Predefined arguments usable without ARG, and BuildKit's own knobs. */
const PROXIES = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'];
const ALWAYS = new Set([...PROXIES, ...PROXIES.map((p) => p.toLowerCase()), 'SOURCE_DATE_EPOCH']);

/** Environment that almost every base image defines; we cannot see the image's config. */
const BASE_IMAGE_ENV = new Set(['PATH', 'HOME', 'HOSTNAME', 'LANG', 'LANGUAGE', 'LC_ALL', 'TERM', 'USER', 'SHELL', 'PWD', 'JAVA_HOME', 'GOPATH', 'GOROOT']);

interface Scope {
  readonly names: Set<string>;
  /** `PYTHON_` for a stage built on `python:3.12`: official images define such variables. */
  readonly imagePrefix: string | null;
}

function isAmbient(name: string, scope: Scope): boolean {
  return ALWAYS.has(name) || name.startsWith('BUILDKIT_') || BASE_IMAGE_ENV.has(name) || (scope.imagePrefix !== null && name.startsWith(scope.imagePrefix));
}

function imagePrefix(image: string | null): string | null {
  const repository = image?.split('/').pop();
  if (!repository || repository.includes('$')) return null;
  return `${repository.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_`;
}

/** The variable names an instruction declares (take effect after the instruction). */
function declaredBy(instruction: Instruction, document: TextDocument, escapeChar: string): string[] {
  if (instruction instanceof Env) return instruction.getProperties().map((p) => p.getName());
  return argDeclarations(instruction, document, escapeChar).map((d) => d.name);
}

/** Variable uses in the part of an instruction the builder expands (not heredoc bodies). */
function usesIn(instruction: Instruction, document: TextDocument, escapeChar: string): VariableUse[] {
  const from = document.offsetAt(instruction.getInstructionRange().end);
  const last = headerLastLine(instruction, document, escapeChar);
  const end = last < instruction.getRange().end.line ? { line: last, character: lineText(document, last).length } : instruction.getRange().end;
  return scanVariables(document, from, document.offsetAt(end), escapeChar).filter((use) => !use.guarded);
}

function suggestion(name: string, candidates: Iterable<string>): string {
  for (const candidate of candidates) if (editDistance(name, candidate) <= (name.length > 4 ? 2 : 1)) return ` (did you mean $${candidate}?)`;
  return '';
}

/** A fix that declares `name` right after the stage's FROM line. */
function declareInStage(ctx: RuleContext, stage: Stage, name: string) {
  const newline = ctx.content.includes('\r\n') ? '\r\n' : '\n';
  const keyword = matchCase(stage.from.getInstruction(), 'ARG');
  const at = { line: stage.from.getRange().end.line + 1, character: 0 };
  return { title: `Declare ${keyword} ${name} in this stage`, edits: [insert(at, `${keyword} ${name}${newline}`)] };
}

export const undefinedVariable: Rule = {
  id: 'BH019',
  hadolint: [],
  name: 'undefined-variable',
  defaultSeverity: 'warning',
  description: 'A variable that no ARG or ENV declares expands to an empty string, silently changing paths and values.',
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    const stages = stagesOf(ctx.dockerfile);
    const globals = new Set<string>();
    const scopes = new Map<number, Scope>();
    const findings: Finding[] = [];
    let stage: Stage | undefined;
    let scope: Scope = { names: globals, imagePrefix: null };

    for (const instruction of ctx.dockerfile.getInstructions()) {
      const keyword = keywordOf(instruction);
      if (keyword === 'FROM') {
        stage = stages.find((s) => s.from === instruction);
        const fromScope: Scope = { names: new Set([...globals, ...PLATFORM_ARGS]), imagePrefix: null };
        for (const use of usesIn(instruction, document, escapeChar)) {
          if (fromScope.names.has(use.name) || isAmbient(use.name, fromScope)) continue;
          findings.push({
            range: use.range,
            message: `${use.name} is not declared by an ARG before the first FROM, so it expands to an empty string here; declare it with ARG ${use.name}=<default> at the top of the Dockerfile${suggestion(use.name, globals)}.`,
          });
        }
        // A stage built FROM an earlier stage inherits its ARGs and ENV.
        const image = stage?.from.getImageName() ?? null;
        const parent = stage && image ? findStage(stages, image, stage.index) : undefined;
        const inherited = parent ? scopes.get(parent.index) : undefined;
        scope = { names: new Set(inherited?.names ?? []), imagePrefix: inherited ? inherited.imagePrefix : imagePrefix(image) };
        if (stage) scopes.set(stage.index, scope);
        continue;
      }
      if (!SUBSTITUTING.has(keyword)) continue;
      for (const use of usesIn(instruction, document, escapeChar)) {
        if (scope.names.has(use.name) || isAmbient(use.name, scope)) continue;
        if (!stage && PLATFORM_ARGS.has(use.name)) continue; // global ARG defaults see them too
        const { name, range } = use;
        if (stage && (globals.has(name) || PLATFORM_ARGS.has(name))) {
          const what = globals.has(name) ? 'a global ARG, which is only visible in FROM lines' : 'a predefined build argument, which a stage only sees after ARG';
          findings.push({
            range,
            message: `${name} is ${what}; redeclare it in this stage with ARG ${name} to use it here.`,
            fix: declareInStage(ctx, stage, name),
          });
          continue;
        }
        findings.push({
          range,
          message: `${name} is not defined by an ARG or ENV before this line, so it expands to an empty string; declare it with ARG ${name}${suggestion(name, scope.names)}.`,
        });
      }
      for (const name of declaredBy(instruction, document, escapeChar)) scope.names.add(name);
    }
    return findings;
  },
};
