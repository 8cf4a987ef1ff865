// The image config and history text per instruction. Expected strings are copied from images
// dockerd 20.10 built (see test/runtime/build/dockerdBuilds.test.ts for the live comparison).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildArgs } from '../../../runtime/build/buildArgs';
import { parseDockerfileText } from '../../../runtime/build/dockerfileSyntax';
import { StageConfigBuilder, normalizeWorkdir } from '../../../runtime/build/imageConfigBuilder';
import { parseInstruction } from '../../../runtime/build/instructions';
import { goQuoteRune, healthcheckComment } from '../../../runtime/build/historyText';
import { formatGoDuration, parseGoDuration } from '../../../runtime/build/goDuration';
import type { ContainerConfig } from '../../../runtime/store/imageConfig';

function stage(lines: string[], base?: ContainerConfig, buildArgs: [string, string][] = []) {
  const builder = new StageConfigBuilder(base ? { config: base } : undefined, new BuildArgs(new Map(buildArgs)), '\\');
  const outcomes = parseDockerfileText(lines.join('\n')).instructions.map((raw) => builder.apply(parseInstruction(raw, '\\')));
  return { builder, outcomes, createdBy: builder.history.map((h) => h.created_by) };
}

describe('metadata instructions', () => {
  it('records history text exactly as the classic builder does', () => {
    const { createdBy } = stage([
      'ARG V=1',
      'ENV A=x B="y z"',
      'LABEL l1=a "l 2"=b',
      'EXPOSE 80 443/udp 8000-8001',
      'USER 1000:1000',
      'VOLUME /data ["/d2", "/d3"]',
      'STOPSIGNAL SIGKILL',
      'HEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost',
      'ONBUILD RUN echo hi',
      'MAINTAINER me <me@x>',
      'SHELL ["/bin/sh", "-xc"]',
      'CMD echo $A',
      'ENTRYPOINT ["/bin/echo"]',
    ]);
    assert.deepEqual(createdBy, [
      '/bin/sh -c #(nop)  ARG V=1',
      '/bin/sh -c #(nop)  ENV A=x B=y z',
      '/bin/sh -c #(nop)  LABEL l1=a l 2=b',
      '/bin/sh -c #(nop)  EXPOSE 443/udp 80 8000-8001',
      '/bin/sh -c #(nop)  USER 1000:1000',
      '/bin/sh -c #(nop)  VOLUME [/data [/d2, /d3]]',
      '/bin/sh -c #(nop)  STOPSIGNAL SIGKILL',
      `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "wget -q localhost"] "5s" "0s" "0s" '\\x02'}`,
      '/bin/sh -c #(nop)  ONBUILD RUN echo hi',
      '/bin/sh -c #(nop)  MAINTAINER me <me@x>',
      '/bin/sh -xc #(nop)  SHELL [/bin/sh -xc]',
      '/bin/sh -xc #(nop)  CMD ["/bin/sh" "-xc" "echo $A"]',
      '/bin/sh -xc #(nop)  ENTRYPOINT ["/bin/echo"]',
    ]);
  });

  it('builds the config: default PATH, env replaced in place, ports, volumes, labels', () => {
    const { builder } = stage(['ENV PATH=/bin A=1', 'ENV A=2 B=$A', 'EXPOSE 53/UDP 80', 'VOLUME /v', 'LABEL k=v'], { Env: ['HOME=/root'], Labels: { base: '1' } });
    assert.deepEqual(builder.config, {
      Env: ['HOME=/root', 'PATH=/bin', 'A=2', 'B=1'],
      Labels: { base: '1', k: 'v' },
      ExposedPorts: { '53/udp': {}, '80/tcp': {} },
      Volumes: { '/v': {} },
    });
  });

  it('adds the default PATH when the base has none, even for scratch', () => {
    assert.deepEqual(stage([]).builder.config.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  });

  it('ENTRYPOINT drops an inherited CMD but keeps one set in the same stage', () => {
    assert.equal(stage(['ENTRYPOINT ["a"]'], { Cmd: ['sh'] }).builder.config.Cmd, undefined);
    assert.deepEqual(stage(['CMD ["b"]', 'ENTRYPOINT ["a"]'], { Cmd: ['sh'] }).builder.config.Cmd, ['b']);
    assert.equal(stage(['ENTRYPOINT []'], { Entrypoint: ['x'] }).createdBy[0], '/bin/sh -c #(nop)  ENTRYPOINT []');
  });

  it('HEALTHCHECK inherits left-out options from the previous one (dockerd 20.10 pointer sharing)', () => {
    const { builder, createdBy } = stage(['HEALTHCHECK --interval=1m --retries=10 CMD true', 'HEALTHCHECK NONE', 'HEALTHCHECK --start-period=2s CMD ["x"]']);
    assert.deepEqual(builder.config.Healthcheck, { Test: ['CMD', 'x'], Interval: 60e9, StartPeriod: 2e9, Retries: 10 });
    assert.equal(createdBy[1], `/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\\x00'}`);
  });

  it('takes the base image ONBUILD triggers out of the config', () => {
    const { builder } = stage(['ONBUILD RUN two'], { OnBuild: ['RUN one'] });
    assert.deepEqual(builder.triggers, ['RUN one']);
    assert.deepEqual(builder.config.OnBuild, ['RUN two']);
  });
});

describe('ARG scoping and RUN', () => {
  it('prefixes RUN history with the visible build args, sorted; ENV wins over ARG', () => {
    const { outcomes } = stage(['ARG A=1 B="2 3" C', 'ENV B=env', 'RUN echo $A'], undefined, [['C', 'c'], ['UNUSED', 'x']]);
    const run = outcomes[2];
    assert.equal(run.kind, 'filesystem');
    if (run.kind === 'filesystem' && run.step.kind === 'RUN') {
      assert.equal(run.step.createdBy, '|2 A=1 C=c /bin/sh -c echo $A');
      assert.deepEqual(run.step.argv, ['/bin/sh', '-c', 'echo $A']);
      assert.ok(run.step.env.includes('A=1') && run.step.env.includes('B=env') && !run.step.env.includes('B=2 3'));
    }
  });

  it('an undeclared proxy build arg reaches RUN but not its history text', () => {
    const { outcomes } = stage(['RUN true'], undefined, [['http_proxy', 'http://p']]);
    const run = outcomes[0];
    if (run.kind === 'filesystem' && run.step.kind === 'RUN') {
      assert.equal(run.step.createdBy, '|0 /bin/sh -c true');
      assert.ok(run.step.env.includes('http_proxy=http://p'));
    } else assert.fail('RUN is a filesystem step');
  });

  it('WORKDIR joins relative paths and keeps absolute ones as written', () => {
    assert.equal(normalizeWorkdir('/a', 'b/../c'), '/a/c');
    assert.equal(normalizeWorkdir('/a', '/x/../y/'), '/x/../y/');
    assert.equal(normalizeWorkdir('', 'rel'), '/rel');
  });

  it('COPY history: --chown glued to the hash, destination as written, trailing space', () => {
    const { builder, outcomes } = stage(['WORKDIR /w', 'COPY --chown=1:2 a b']);
    const copy = outcomes[1];
    if (copy.kind === 'filesystem' && copy.step.kind === 'COPY') {
      assert.equal(builder.copyCreatedBy(copy.step, 'file:abc'), '/bin/sh -c #(nop) COPY --chown=1:2file:abc in b ');
    } else assert.fail('COPY is a filesystem step');
  });
});

describe('Go formatting', () => {
  it('quotes runes like %q of an int', () => {
    assert.deepEqual([0, 3, 7, 9, 10, 39, 65, 92, 127].map(goQuoteRune), ["'\\x00'", "'\\x03'", "'\\a'", "'\\t'", "'\\n'", "'\\''", "'A'", "'\\\\'", "'\\x7f'"]);
  });

  it('parses and prints durations like Go', () => {
    assert.equal(parseGoDuration('1m30s'), 90e9);
    assert.equal(parseGoDuration('1.5s'), 1.5e9);
    assert.equal(parseGoDuration('250ms'), 250e6);
    assert.equal(parseGoDuration('5'), undefined);
    assert.deepEqual([0, 1500e6, 90e9, 3600e9, 5e9, 1500, 3661e9].map(formatGoDuration), ['0s', '1.5s', '1m30s', '1h0m0s', '5s', '1.5µs', '1h1m1s']);
    assert.equal(healthcheckComment('NONE'), `HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\\x00'}`);
  });
});
