import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildError } from '../../../runtime/build/buildError';
import { parseBuildArgFlags, planBuild } from '../../../runtime/build/buildPlan';
import { extractFlags, parseDockerfileText, parseWords } from '../../../runtime/build/dockerfileSyntax';
import { parseInstruction } from '../../../runtime/build/instructions';

function only(text: string) {
  const parsed = parseDockerfileText(text);
  return parseInstruction(parsed.instructions[parsed.instructions.length - 1], parsed.escapeChar);
}

function failsOnLine(fn: () => unknown, line: number, pattern: RegExp): void {
  assert.throws(fn, (error: Error) => {
    assert.ok(error instanceof BuildError, String(error));
    assert.equal(error.line, line);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('Dockerfile syntax as Docker splits it', () => {
  it('joins continuations, skipping comment and blank lines, keeping continuation indentation', () => {
    const parsed = parseDockerfileText('FROM x\nRUN echo a \\\n# comment\n\n    && echo b\n');
    assert.equal(parsed.instructions[1].rest, 'echo a     && echo b');
    assert.equal(parsed.instructions[1].line, 2);
  });

  it('honours # escape=` and ignores # syntax=', () => {
    const parsed = parseDockerfileText('# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nENV P=C:\\dir `\n  Q=1\n');
    assert.equal(parsed.escapeChar, '`');
    assert.equal(parsed.instructions[1].rest, 'P=C:\\dir   Q=1');
  });

  it('extracts leading --flags with quotes, stopping at the first plain word', () => {
    assert.deepEqual(extractFlags('--from=build --chown="a b" src --not-a-flag dest'), { flags: ['--from=build', '--chown=a b'], rest: 'src --not-a-flag dest' });
  });

  it('parseWords keeps quotes and escapes for the lexer', () => {
    assert.deepEqual(parseWords('a="x y" b=c\\ d \'e f\'', '\\'), ['a="x y"', 'b=c\\ d', "'e f'"]);
  });
});

describe('instructions', () => {
  it('ENV in both forms', () => {
    assert.deepEqual((only('FROM x\nENV A=1 B="2 3"') as { pairs: unknown }).pairs, [['A', '1'], ['B', '"2 3"']]);
    assert.deepEqual((only('FROM x\nENV OLD form with  spaces') as { pairs: unknown }).pairs, [['OLD', 'form with  spaces']]);
  });

  it('CMD: JSON when it decodes as an array of strings, shell form otherwise', () => {
    assert.deepEqual(only('FROM x\nCMD ["a", "b c"]'), { kind: 'CMD', line: 2, original: 'CMD ["a", "b c"]', cmdLine: ['a', 'b c'], prependShell: false });
    assert.deepEqual((only("FROM x\nCMD ['a']") as { cmdLine: unknown }).cmdLine, ["['a']"]);
    failsOnLine(() => only('FROM x\nCMD ["a", 1]'), 2, /arrays must be comprised of strings only/);
  });

  it('EXPOSE words are sorted as written; VOLUME splits on whitespace only', () => {
    assert.deepEqual((only('FROM x\nEXPOSE 80 443/udp 8000-8001 22') as { ports: unknown }).ports, ['22', '443/udp', '80', '8000-8001']);
    assert.deepEqual((only('FROM x\nVOLUME /a ["/b", "/c"]') as { volumes: unknown }).volumes, ['/a', '["/b",', '"/c"]']);
  });

  it('HEALTHCHECK options, NONE and errors', () => {
    assert.deepEqual((only('FROM x\nHEALTHCHECK --interval=1m30s --retries=3 CMD curl -f x') as { health: unknown }).health, {
      test: ['CMD-SHELL', 'curl -f x'], interval: 90e9, timeout: 0, startPeriod: 0, retries: 3,
    });
    assert.equal((only('FROM x\nHEALTHCHECK NONE') as { health: unknown }).health, 'NONE');
    failsOnLine(() => only('FROM x\nHEALTHCHECK --retries=0 CMD true'), 2, /--retries must be at least 1/);
    failsOnLine(() => only('FROM x\nHEALTHCHECK CMDX true'), 2, /Unknown type "CMDX" in HEALTHCHECK \(try CMD\)/);
    failsOnLine(() => only('FROM x\nHEALTHCHECK --interval=5 CMD true'), 2, /invalid duration/);
  });

  it('flags: unknown, duplicate, missing value', () => {
    failsOnLine(() => only('FROM x\nCOPY --form=a b c'), 2, /Unknown flag: form \(COPY accepts --chown, --chmod, --from\)/);
    failsOnLine(() => only('FROM x\nRUN --mount=type=cache true'), 2, /Unknown flag: mount \(RUN takes no flags\)/);
    failsOnLine(() => only('FROM x\nCOPY --from=a --from=b c d'), 2, /Duplicate flag specified: from/);
    failsOnLine(() => only('FROM x\nCOPY --from c d'), 2, /Missing a value on flag: from/);
  });

  it('unknown instructions, ONBUILD restrictions, SHELL needs JSON', () => {
    failsOnLine(() => only('FROM x\nRUNN true'), 2, /unknown instruction: RUNN/);
    failsOnLine(() => only('FROM x\nONBUILD ONBUILD RUN x'), 2, /Chaining ONBUILD/);
    failsOnLine(() => only('FROM x\nONBUILD from y'), 2, /FROM isn't allowed as an ONBUILD trigger/);
    failsOnLine(() => only('FROM x\nSHELL /bin/bash -c'), 2, /JSON form/);
    assert.equal((only('FROM x\n  onbuild   RUN echo hi') as { expression: string }).expression, 'RUN echo hi');
  });
});

describe('planBuild', () => {
  const dockerfile = [
    'ARG BASE=busybox',
    'ARG VERSION',
    'FROM ${BASE}:${VERSION:-latest} AS base',
    'RUN echo base',
    'FROM base AS Builder',
    'RUN make',
    'FROM alpine AS unused',
    'FROM scratch AS runtime',
    'COPY --from=builder /out /out',
    'COPY --from=0 /etc/os-release /',
    'FROM runtime AS later',
  ].join('\n');

  it('resolves FROM names with meta ARGs and build args, and finds stage bases', () => {
    const plan = planBuild(dockerfile, { buildArgs: parseBuildArgFlags(['VERSION=1.36']) });
    assert.deepEqual(plan.stages.map((s) => [s.name, s.baseName, s.base]), [
      ['base', 'busybox:1.36', { kind: 'image', ref: 'busybox:1.36' }],
      ['builder', 'base', { kind: 'stage', index: 0 }],
      ['unused', 'alpine', { kind: 'image', ref: 'alpine' }],
      ['runtime', 'scratch', { kind: 'scratch' }],
      ['later', 'runtime', { kind: 'stage', index: 3 }],
    ]);
    assert.equal(plan.target, 4);
    assert.deepEqual(plan.needed, [0, 1, 3, 4]);
    assert.equal(plan.totalSteps, 2 + 5 + 4);
  });

  it('--target cuts the stages and needs only what the target uses (case-insensitive)', () => {
    const plan = planBuild(dockerfile, { target: 'RUNTIME' });
    assert.equal(plan.stages.length, 4);
    assert.deepEqual(plan.needed, [0, 1, 3]);
    assert.deepEqual(plan.stages[3].copyFrom, [1, 0]);
  });

  it('explains an unknown target, duplicate names, bad indexes and a missing FROM', () => {
    failsOnLine(() => planBuild(dockerfile, { target: 'nope' }), 0, /failed to reach build target nope in Dockerfile \(stages named: base, builder, unused, runtime, later\)/);
    failsOnLine(() => planBuild('FROM a AS x\nFROM b AS x'), 2, /duplicate name x/);
    failsOnLine(() => planBuild('FROM a\nCOPY --from=1 / /'), 2, /invalid stage index 1/);
    failsOnLine(() => planBuild('ENV A=1\nFROM a'), 1, /only ARG may come before FROM/);
    failsOnLine(() => planBuild('# just a comment\n'), 0, /no FROM instruction/);
    failsOnLine(() => planBuild('FROM a AS 1x'), 1, /invalid name for build stage/);
  });

  it('adds --label values to the target, sorted and unsubstituted', () => {
    const plan = planBuild('FROM a\nFROM b', { labels: { z: '1', a: '$X' } });
    assert.deepEqual(plan.stages[1].instructions.map((i) => (i.kind === 'LABEL' ? i.pairs : [])), [[['a', '$X']], [['z', '1']]]);
  });
});

describe('heredocs', () => {
  it('are refused with a clear message instead of silently dropping their lines', () => {
    failsOnLine(() => planBuild('FROM x\nRUN <<EOF\necho hi\nEOF\nENV A=1\n'), 2, /heredoc \(<<EOF\) is BuildKit syntax/);
  });
});
