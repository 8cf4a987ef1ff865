import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Range } from 'vscode-languageserver-types';
import { ValidationCode, validate } from 'dockerfile-utils';
import type { Finding, Rule } from '../../server/service/rules/rule';
import { instructionRules } from '../../server/service/rules/instructionRules';
import { untaggedBaseImage, latestBaseImage } from '../../server/service/rules/instruction/baseImage';
import { addInsteadOfCopy } from '../../server/service/rules/instruction/addToCopy';
import { relativeWorkdir } from '../../server/service/rules/instruction/workdir';
import { multipleCmd, multipleEntrypoint } from '../../server/service/rules/instruction/singleton';
import { shellFormCommand } from '../../server/service/rules/instruction/execForm';
import { rootUser } from '../../server/service/rules/instruction/rootUser';
import { copyFromSelf, copyFromUnknownStage } from '../../server/service/rules/instruction/copyFrom';
import { duplicateStageName, fromAsCasing, stageNameCasing } from '../../server/service/rules/instruction/stageNames';
import { looksSecret, nameParts, secretInArgOrEnv } from '../../server/service/rules/instruction/secrets';
import { invalidExposePort } from '../../server/service/rules/instruction/expose';
import { deprecatedMaintainer } from '../../server/service/rules/instruction/maintainer';
import { copyMultipleSourcesDestination } from '../../server/service/rules/instruction/copyDestination';
import { legacyKeyValueFormat } from '../../server/service/rules/instruction/legacyKeyValue';
import { undefinedVariable } from '../../server/service/rules/instruction/undefinedVar';
import { applyFix, check, lines } from '../support/ruleHarness';

/** A Dockerfile from lines. */
const df = (...body: string[]): string => body.join('\n') + '\n';

const at = (line: number, start: number, end: number, endLine = line): Range => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});

/** The single finding of `rule` on `content`. */
function one(rule: Rule, content: string): Finding {
  const findings = check(rule, content);
  assert.equal(findings.length, 1, `expected one ${rule.id} finding, got ${JSON.stringify(findings.map((f) => f.message))}`);
  return findings[0];
}

function none(rule: Rule, content: string): void {
  assert.deepEqual(
    check(rule, content).map((f) => f.message),
    [],
  );
}

/** Applies the fix of the single finding; the rule must be satisfied afterwards. */
function fixed(rule: Rule, content: string): string {
  const { fix } = one(rule, content);
  assert.ok(fix, `${rule.id} should offer a fix`);
  const result = applyFix(content, fix);
  none(rule, result);
  return result;
}

describe('registry', () => {
  test('rules are BH001-BH019 in id order, with kebab-case names and one-sentence descriptions', () => {
    assert.deepEqual(
      instructionRules.map((r) => r.id),
      Array.from({ length: 19 }, (_, i) => `BH${String(i + 1).padStart(3, '0')}`),
    );
    for (const rule of instructionRules) {
      assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/, rule.id);
      assert.match(rule.description, /^[A-Z'`].*\.$/, rule.id);
      for (const id of rule.hadolint) assert.match(id, /^DL\d{4}$/, rule.id);
    }
    assert.equal(new Set(instructionRules.map((r) => r.name)).size, instructionRules.length);
  });

  test('every overlap is a dockerfile-utils code that really fires on the same line', () => {
    const cases: [Rule, string][] = [
      [relativeWorkdir, df('FROM a:1', 'WORKDIR app')],
      [multipleCmd, df('FROM a:1', 'CMD ["a"]', 'CMD ["b"]')],
      [multipleEntrypoint, df('FROM a:1', 'ENTRYPOINT ["a"]', 'ENTRYPOINT ["b"]')],
      [duplicateStageName, df('FROM a:1 AS x', 'FROM b:1 AS x')],
      [deprecatedMaintainer, df('FROM a:1', 'MAINTAINER me')],
      [shellFormCommand, df('FROM a:1', "CMD ['a']")],
    ];
    for (const [rule, content] of cases) {
      const line = one(rule, content).range.start.line;
      const codes = validate(content)
        .filter((d) => d.range.start.line === line)
        .map((d) => d.code);
      assert.ok(
        rule.overlaps?.some((code) => codes.includes(code)),
        `${rule.id}: ${JSON.stringify(codes.map((c) => ValidationCode[c as number]))}`,
      );
    }
  });

  test('a realistic clean Dockerfile raises nothing', () => {
    const content = df(
      '# syntax=docker/dockerfile:1',
      'ARG GO_VERSION=1.22',
      'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build',
      'ARG TARGETOS TARGETARCH',
      'WORKDIR /src',
      'COPY go.mod go.sum ./',
      'RUN --mount=type=cache,target=/go/pkg/mod go mod download',
      'COPY . .',
      'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app',
      '',
      'FROM gcr.io/distroless/static:nonroot',
      'LABEL maintainer="team@example.com"',
      'COPY --from=build /out/app /app',
      'EXPOSE 8080/tcp',
      'USER nonroot:nonroot',
      'ENTRYPOINT ["/app"]',
    );
    const findings = instructionRules.flatMap((rule) => check(rule, content).map((f) => `${rule.id}: ${f.message}`));
    assert.deepEqual(findings, []);
  });
});

describe('BH001 untagged base image', () => {
  test('flags an image without tag or digest, on the image reference', () => {
    const f = one(untaggedBaseImage, df('FROM debian', 'RUN true'));
    assert.deepEqual(f.range, at(0, 5, 11));
    assert.match(f.message, /debian has no tag/);
    assert.match(f.message, /debian:<version>/);
    assert.equal(f.fix, undefined);
  });

  test('flags registry images with a port but no tag, and lower-case from', () => {
    assert.deepEqual(one(untaggedBaseImage, df('from localhost:5000/team/app')).range, at(0, 5, 28));
  });

  test('resolves global ARG defaults: ARG BASE=debian then FROM $BASE is untagged', () => {
    const f = one(untaggedBaseImage, df('ARG BASE=debian', 'FROM $BASE AS build'));
    assert.deepEqual(f.range, at(1, 5, 10));
    assert.match(f.message, /\$BASE \(debian\)/);
    none(untaggedBaseImage, df('ARG BASE=debian:12', 'FROM ${BASE}'));
    none(untaggedBaseImage, df('ARG TAG=12', 'FROM debian:$TAG'));
    // One ARG may declare several names; dockerfile-ast alone sees only the first.
    assert.deepEqual(lines(check(untaggedBaseImage, df('ARG REG=docker.io BASE="debian"', 'FROM ${REG}/${BASE}'))), [1]);
    none(untaggedBaseImage, df('ARG NAME=debian TAG=12', 'FROM ${NAME}:${TAG:-11}'));
  });

  test('skips scratch, earlier stages, digests and unresolvable variables', () => {
    none(untaggedBaseImage, df('FROM scratch'));
    none(untaggedBaseImage, df('FROM golang:1.22 AS build', 'FROM build', 'FROM Build AS again'));
    none(untaggedBaseImage, df('FROM debian@sha256:0123456789abcdef'));
    none(untaggedBaseImage, df('ARG BASE', 'FROM $BASE'));
    none(untaggedBaseImage, df('FROM ${UNDECLARED}'));
    none(untaggedBaseImage, df('ARG REGISTRY', 'FROM $REGISTRY/debian'));
  });

  test('a name that only matches a later stage is an image, not a stage reference', () => {
    assert.deepEqual(lines(check(untaggedBaseImage, df('FROM builder', 'FROM alpine:3 AS builder'))), [0]);
  });
});

describe('BH002 latest base image', () => {
  test('flags the latest tag on the tag itself', () => {
    const f = one(latestBaseImage, df('FROM node:latest AS app'));
    assert.deepEqual(f.range, at(0, 10, 16));
    assert.match(f.message, /node:latest/);
  });

  test('flags latest coming from a global ARG, on the whole image', () => {
    const f = one(latestBaseImage, df('ARG TAG=latest', 'FROM node:${TAG}'));
    assert.deepEqual(f.range, at(1, 5, 16));
  });

  test('skips pinned tags, digests next to latest, and untagged images', () => {
    none(latestBaseImage, df('FROM node:20'));
    none(latestBaseImage, df('FROM node:latest@sha256:abc123'));
    none(latestBaseImage, df('FROM node'));
    none(latestBaseImage, df('FROM node:latest-alpine'));
  });
});

describe('BH003 ADD instead of COPY', () => {
  test('flags ADD of local files on the keyword and rewrites it to COPY', () => {
    const content = df('FROM a:1', 'ADD --chown=1:1 app.py lib/ /app/');
    const f = one(addInsteadOfCopy, content);
    assert.deepEqual(f.range, at(1, 0, 3));
    assert.match(f.message, /app\.py, lib\//);
    assert.equal(fixed(addInsteadOfCopy, content), df('FROM a:1', 'COPY --chown=1:1 app.py lib/ /app/'));
  });

  test('keeps the keyword casing', () => {
    assert.equal(fixed(addInsteadOfCopy, df('from a:1', 'add x /x')), df('from a:1', 'copy x /x'));
    assert.equal(fixed(addInsteadOfCopy, df('FROM a:1', 'Add x /x')), df('FROM a:1', 'Copy x /x'));
  });

  test('handles JSON form and multi-line instructions', () => {
    assert.equal(fixed(addInsteadOfCopy, df('FROM a:1', 'ADD ["my file", "/x/"]')), df('FROM a:1', 'COPY ["my file", "/x/"]'));
    const multi = df('FROM a:1', 'ADD a \\', '    b /x/');
    assert.deepEqual(one(addInsteadOfCopy, multi).range, at(1, 0, 3));
  });

  test('skips URLs, archives, git sources, heredocs, variables and ADD-only flags', () => {
    none(addInsteadOfCopy, df('FROM a:1', 'ADD https://example.com/x.sh /x'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD rootfs.tar.gz /'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD dist.tgz src.tar.xz /opt/'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD git@github.com:moby/buildkit.git /src'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD https://github.com/moby/buildkit.git#v0.14 /src'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD <<EOF /etc/motd', 'hello', 'EOF'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD $SOURCE /x'));
    none(addInsteadOfCopy, df('FROM a:1', 'ADD --checksum=sha256:abc file /x'));
    none(addInsteadOfCopy, df('FROM a:1', 'COPY a /x'));
  });
});

describe('BH004 relative WORKDIR', () => {
  test('flags a relative path with an actionable message and prefixes /', () => {
    const content = df('FROM a:1', 'WORKDIR app');
    const f = one(relativeWorkdir, content);
    assert.deepEqual(f.range, at(1, 8, 11));
    assert.equal(f.message, 'WORKDIR app is relative to the previous WORKDIR, which is easy to get wrong; use an absolute path such as /app.');
    assert.equal(fixed(relativeWorkdir, content), df('FROM a:1', 'WORKDIR /app'));
  });

  test('inserts the slash inside quotes and for lower-case keywords', () => {
    assert.equal(fixed(relativeWorkdir, df('FROM a:1', 'WORKDIR "my app"')), df('FROM a:1', 'WORKDIR "/my app"'));
    assert.equal(fixed(relativeWorkdir, df('from a:1', 'workdir src/app')), df('from a:1', 'workdir /src/app'));
  });

  test('skips absolute, variable and Windows paths', () => {
    none(relativeWorkdir, df('FROM a:1', 'WORKDIR /app'));
    none(relativeWorkdir, df('FROM a:1', 'WORKDIR $HOME/app'));
    none(relativeWorkdir, df('FROM a:1', 'WORKDIR ${APP_DIR}'));
    none(relativeWorkdir, df('# escape=`', 'FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'WORKDIR C:\\app'));
    none(relativeWorkdir, df('FROM a:1', 'WORKDIR c:/app'));
    none(relativeWorkdir, df('FROM a:1', 'WORKDIR "/quoted"'));
  });
});

describe('BH005/BH006 repeated CMD and ENTRYPOINT', () => {
  test('reports every CMD but the last, per stage, on the keyword', () => {
    const content = df('FROM a:1 AS one', 'CMD ["a"]', 'CMD ["b"]', 'FROM b:1', 'CMD ["c"]', 'CMD ["d"]', 'CMD ["e"]');
    const findings = check(multipleCmd, content);
    assert.deepEqual(lines(findings), [1, 4, 5]);
    assert.deepEqual(findings[0].range, at(1, 0, 3));
    assert.equal(findings[1].message, 'This CMD has no effect because the CMD on line 7 replaces it; remove it or merge the two.');
  });

  test('deletes the earlier instruction including its continuation lines', () => {
    const content = df('FROM a:1', 'cmd echo one \\', '    two', 'CMD ["b"]');
    assert.equal(fixed(multipleCmd, content), df('FROM a:1', 'CMD ["b"]'));
  });

  test('deletes cleanly when the removed instruction is on the last line without a newline', () => {
    const content = 'FROM a:1\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]';
    const f = check(multipleEntrypoint, content);
    assert.deepEqual(lines(f), [1]);
    assert.equal(applyFix(content, f[0].fix!), 'FROM a:1\nENTRYPOINT ["b"]');
    const lastLine = 'FROM a:1\nENTRYPOINT ["a"]';
    none(multipleEntrypoint, lastLine);
  });

  test('ENTRYPOINT is independent of CMD, and ONBUILD triggers do not count', () => {
    none(multipleCmd, df('FROM a:1', 'ENTRYPOINT ["a"]', 'CMD ["b"]'));
    none(multipleCmd, df('FROM a:1', 'ONBUILD CMD ["a"]', 'CMD ["b"]'));
    none(multipleEntrypoint, df('FROM a:1 AS x', 'ENTRYPOINT ["a"]', 'FROM x', 'ENTRYPOINT ["b"]'));
    assert.equal(fixed(multipleEntrypoint, df('FROM a:1', 'ENTRYPOINT ["a"]', 'RUN x', 'ENTRYPOINT ["b"]')), df('FROM a:1', 'RUN x', 'ENTRYPOINT ["b"]'));
  });
});

describe('BH007 shell-form CMD/ENTRYPOINT', () => {
  test('flags shell form on the command and converts simple words to exec form', () => {
    const content = df('FROM a:1', 'CMD node server.js --port=8080');
    const f = one(shellFormCommand, content);
    assert.deepEqual(f.range, at(1, 4, 30));
    assert.match(f.message, /SIGTERM/);
    assert.match(f.message, /CMD \["node", "server\.js", "--port=8080"\]/);
    assert.equal(fixed(shellFormCommand, content), df('FROM a:1', 'CMD ["node", "server.js", "--port=8080"]'));
  });

  test('drops a leading exec and joins continuation lines', () => {
    assert.equal(fixed(shellFormCommand, df('FROM a:1', 'entrypoint exec /bin/app \\', '  serve')), df('FROM a:1', 'entrypoint ["/bin/app", "serve"]'));
  });

  test('offers no fix when the shell is doing work', () => {
    for (const command of ['echo $HOME', 'a && b', 'a | b', 'a; b', 'a > log', 'echo "hi"', 'ls *.txt', "['a']", 'echo ~', 'NODE_ENV=production node app', 'cd /app', 'exec export X']) {
      const f = one(shellFormCommand, df('FROM a:1', `CMD ${command}`));
      assert.equal(f.fix, undefined, command);
      assert.match(f.message, /JSON exec form/);
    }
  });

  test('skips exec form, and stages that declare a SHELL (themselves or via their parent)', () => {
    none(shellFormCommand, df('FROM a:1', 'CMD ["a", "b"]', 'ENTRYPOINT [ "x" ]'));
    none(shellFormCommand, df('FROM a:1', 'SHELL ["/bin/bash", "-c"]', 'CMD echo hi'));
    none(shellFormCommand, df('FROM a:1 AS base', 'SHELL ["/bin/bash", "-c"]', 'FROM base', 'CMD echo hi'));
    assert.deepEqual(lines(check(shellFormCommand, df('FROM a:1', 'CMD echo hi', 'SHELL ["/bin/bash", "-c"]'))), [1]);
  });
});

describe('BH008 root user', () => {
  test('flags the last USER of the final stage when it is root', () => {
    for (const user of ['root', '0', 'root:root', '0:0', '"root"']) {
      const f = one(rootUser, df('FROM a:1', 'USER app', `USER ${user}`));
      assert.deepEqual(f.range, at(2, 5, 5 + user.length), user);
    }
  });

  test('only the final stage and its last USER count; no USER is not reported', () => {
    none(rootUser, df('FROM a:1 AS build', 'USER root', 'FROM b:1', 'USER app'));
    none(rootUser, df('FROM a:1', 'USER root', 'RUN make', 'USER 10001'));
    none(rootUser, df('FROM a:1', 'RUN make'));
    none(rootUser, df('FROM a:1', 'USER rootless'));
    none(rootUser, df('FROM a:1', 'USER $APP_USER'));
  });
});

describe('BH009/BH010 COPY --from', () => {
  const stages = (...rest: string[]) => df('FROM a:1 AS build', 'FROM b:1 AS test', ...rest);

  test('accepts earlier stages by name (any case) or index, images and named contexts', () => {
    const content = stages(
      'COPY --from=build /a /a',
      'COPY --from=BUILD /a /a',
      'COPY --from=0 /a /a',
      'COPY --from=nginx:1.27 /etc/nginx /etc/nginx',
      'COPY --from=docker.io/library/alpine /bin/sh /sh',
      'COPY --from=busybox /bin/busybox /busybox',
      'COPY --from=$STAGE /a /a',
      'ONBUILD COPY --from=later /a /a',
    );
    none(copyFromUnknownStage, content);
    none(copyFromSelf, content);
  });

  test('a stage defined later is reported as such, on the flag value', () => {
    const f = one(copyFromUnknownStage, df('FROM a:1', 'COPY --from=assets /x /x', 'FROM b:1 AS assets'));
    assert.deepEqual(f.range, at(1, 12, 18));
    assert.match(f.message, /defined later \(line 3\)/);
    const byIndex = one(copyFromUnknownStage, df('FROM a:1', 'COPY --from=1 /x /x', 'FROM b:1'));
    assert.match(byIndex.message, /defined later \(line 3\)/);
  });

  test('unknown stages: upper case (cannot be an image), near misses, and out-of-range indexes', () => {
    assert.match(one(copyFromUnknownStage, stages('COPY --from=Builder /a /a')).message, /unknown stage.*upper-case/);
    const typo = one(copyFromUnknownStage, stages('COPY --from=biuld /a /a'));
    assert.match(typo.message, /unknown stage.*did you mean 'build'/);
    assert.deepEqual(typo.range, at(2, 12, 17));
    assert.match(one(copyFromUnknownStage, stages('COPY --from=7 /a /a')).message, /no stage with index 7/);
  });

  test('BH010 flags a stage copying from itself by name or index', () => {
    const f = one(copyFromSelf, stages('COPY --from=test /a /a'));
    assert.deepEqual(f.range, at(2, 12, 16));
    assert.match(f.message, /stage it is in/);
    one(copyFromSelf, stages('COPY --from=1 /a /a'));
    none(copyFromUnknownStage, stages('COPY --from=test /a /a'));
  });
});

describe('BH011 duplicate stage names', () => {
  test('flags later duplicates, ignoring case, on the name', () => {
    const findings = check(duplicateStageName, df('FROM a:1 AS build', 'FROM b:1 AS Build', 'FROM c:1 AS other', 'FROM d:1 as build'));
    assert.deepEqual(lines(findings), [1, 3]);
    assert.deepEqual(findings[0].range, at(1, 12, 17));
    assert.match(findings[0].message, /already used by the stage on line 1/);
  });

  test('unnamed and distinct stages are fine', () => {
    none(duplicateStageName, df('FROM a:1', 'FROM a:1', 'FROM b:1 AS x', 'FROM c:1 AS y'));
  });
});

describe('BH012 secrets in ARG/ENV', () => {
  test('flags secret-looking names on the name, for ARG and every ENV pair', () => {
    const content = df('ARG GITHUB_TOKEN', 'FROM a:1', 'ENV APP=1 DB_PASSWORD=x', 'ARG npmAuthToken');
    const findings = check(secretInArgOrEnv, content);
    assert.deepEqual(lines(findings), [0, 2, 3]);
    assert.deepEqual(findings[1].range, at(2, 10, 21));
    assert.match(findings[0].message, /RUN --mount=type=secret/);
  });

  test('every name of a multi-name ARG is checked', () => {
    const f = one(secretInArgOrEnv, df('FROM a:1', 'ARG VERSION NPM_TOKEN=""'));
    assert.deepEqual(f.range, at(1, 12, 21));
    assert.match(f.message, /^ARG NPM_TOKEN looks like a secret/);
  });

  test('splits names into words, so parts of longer words do not match', () => {
    assert.deepEqual(nameParts('AWS_SECRET_ACCESS_KEY'), ['aws', 'secret', 'access', 'key']);
    assert.deepEqual(nameParts('githubAPIKey'), ['github', 'api', 'key']);
    for (const name of ['API_KEY', 'APIKEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'CREDENTIALS', 'AUTH', 'api-key', 'SECRET', 'passwd', 'DB_PASS']) {
      assert.equal(looksSecret(name), true, name);
    }
    for (const name of ['TOKENIZER_VERSION', 'AUTHOR', 'KEYRING_DIR', 'PUBLIC_KEY', 'GPG_KEY', 'PASSWORD_FILE', 'SSH_KEY_PATH', 'MONKEY', 'NODE_VERSION']) {
      assert.equal(looksSecret(name), false, name);
    }
  });

  test('values and other instructions are not names', () => {
    none(secretInArgOrEnv, df('FROM a:1', 'ENV MODE=token', 'LABEL secret=1', 'RUN export TOKEN=1'));
  });
});

describe('BH013 invalid EXPOSE port', () => {
  test('flags ports above 65535, including in ranges and with protocols, on the number', () => {
    const findings = check(invalidExposePort, df('FROM a:1', 'EXPOSE 80 70000/udp 8000-90000'));
    assert.deepEqual(
      findings.map((f) => f.range),
      [at(1, 10, 15), at(1, 25, 30)],
    );
    assert.equal(findings[0].message, 'Port 70000 is outside the valid range 0-65535; use a port number in that range.');
  });

  test('skips valid ports, variables and malformed specs', () => {
    none(invalidExposePort, df('FROM a:1', 'expose 0 65535 53/udp 8000-9000/tcp 132/sctp ${PORT} $P 80:80'));
  });
});

describe('BH014 MAINTAINER', () => {
  test('flags the keyword and rewrites to a quoted maintainer label', () => {
    const content = df('FROM a:1', 'MAINTAINER John "JD" Doe <jd@example.com>');
    assert.deepEqual(one(deprecatedMaintainer, content).range, at(1, 0, 10));
    assert.equal(fixed(deprecatedMaintainer, content), df('FROM a:1', 'LABEL maintainer="John \\"JD\\" Doe <jd@example.com>"'));
  });

  test('escapes $ so LABEL does not expand it, joins continuations, keeps casing', () => {
    assert.equal(fixed(deprecatedMaintainer, df('from a:1', 'maintainer costs $5 \\', '  flat')), df('from a:1', 'label maintainer="costs \\$5   flat"'));
  });

  test('uses the escape directive character', () => {
    assert.equal(fixed(deprecatedMaintainer, df('# escape=`', 'FROM a:1', 'MAINTAINER C:\\ "me"')), df('# escape=`', 'FROM a:1', 'LABEL maintainer="C:\\ `"me`""'));
  });

  test('a maintainer label is fine', () => {
    none(deprecatedMaintainer, df('FROM a:1', 'LABEL maintainer="me"'));
  });
});

describe('BH015 multi-source COPY destination', () => {
  test('flags the destination and appends /', () => {
    const content = df('FROM a:1', 'COPY --chown=app package.json yarn.lock /app');
    const f = one(copyMultipleSourcesDestination, content);
    assert.deepEqual(f.range, at(1, 40, 44));
    assert.match(f.message, /2 sources.*write \/app\/\./);
    assert.equal(fixed(copyMultipleSourcesDestination, content), df('FROM a:1', 'COPY --chown=app package.json yarn.lock /app/'));
  });

  test('handles JSON form, quoted destinations, ADD and continuation lines', () => {
    assert.equal(fixed(copyMultipleSourcesDestination, df('FROM a:1', 'COPY ["a b", "c", "/d"]')), df('FROM a:1', 'COPY ["a b", "c", "/d/"]'));
    assert.equal(fixed(copyMultipleSourcesDestination, df('FROM a:1', 'ADD a b "/dir"')), df('FROM a:1', 'ADD a b "/dir/"'));
    assert.equal(fixed(copyMultipleSourcesDestination, df('FROM a:1', 'copy a \\', '     b /d')), df('FROM a:1', 'copy a \\', '     b /d/'));
  });

  test('counts heredoc sources but never heredoc bodies', () => {
    assert.equal(fixed(copyMultipleSourcesDestination, df('FROM a:1', 'COPY <<one <<two /etc', 'x', 'one', 'y', 'two')), df('FROM a:1', 'COPY <<one <<two /etc/', 'x', 'one', 'y', 'two'));
    none(copyMultipleSourcesDestination, df('FROM a:1', 'COPY <<EOF /etc/motd', 'many words in the body', 'EOF'));
  });

  test('single sources, directory destinations, variables and Windows paths are fine', () => {
    none(copyMultipleSourcesDestination, df('FROM a:1', 'COPY a /b', 'COPY a b /c/', 'COPY a b $DEST', 'COPY ["a", "b", "/c/"]', 'COPY --from=x a .'));
    none(copyMultipleSourcesDestination, df('# escape=`', 'FROM a:1', 'COPY a b C:\\dest\\'));
    const windows = df('# escape=`', 'FROM a:1', 'COPY a b C:\\dest');
    assert.match(one(copyMultipleSourcesDestination, windows).message, /ending in '\\'; write C:\\dest\\\./);
    assert.equal(fixed(copyMultipleSourcesDestination, windows), df('# escape=`', 'FROM a:1', 'COPY a b C:\\dest\\'));
  });
});

describe('BH016 legacy ENV/LABEL key value', () => {
  test('flags the name and rewrites a single word with =', () => {
    const content = df('FROM a:1', 'ENV NODE_ENV production');
    const f = one(legacyKeyValueFormat, content);
    assert.deepEqual(f.range, at(1, 4, 12));
    assert.match(f.message, /write ENV NODE_ENV=value/);
    assert.equal(fixed(legacyKeyValueFormat, content), df('FROM a:1', 'ENV NODE_ENV=production'));
  });

  test('quotes values with spaces, and keeps already-quoted values', () => {
    assert.equal(fixed(legacyKeyValueFormat, df('FROM a:1', 'ENV GREETING hello  world')), df('FROM a:1', 'ENV GREETING="hello  world"'));
    assert.equal(fixed(legacyKeyValueFormat, df('FROM a:1', 'LABEL description "An image"')), df('FROM a:1', 'LABEL description="An image"'));
    assert.equal(fixed(legacyKeyValueFormat, df('FROM a:1', 'env PATH $PATH:/opt/bin')), df('FROM a:1', 'env PATH=$PATH:/opt/bin'));
  });

  test('multi-line values keep their meaning: the value still starts at its first word', () => {
    const content = df('FROM a:1', 'ENV DEPS \\', '    curl \\', '    git');
    assert.equal(fixed(legacyKeyValueFormat, content), df('FROM a:1', 'ENV DEPS="curl \\', '    git"'));
  });

  test('no fix when quoting would change the value', () => {
    const f = one(legacyKeyValueFormat, df('FROM a:1', 'ENV A it\'s "x" y'));
    assert.equal(f.fix, undefined);
  });

  test('the = form, mixed errors and bare names are not reported', () => {
    none(legacyKeyValueFormat, df('FROM a:1', 'ENV A=1 B="x y"', 'LABEL "a b"="c" d=e', 'ENV A=1 B 2', 'ENV LONELY', 'ARG X'));
  });
});

describe('BH017 FROM/AS casing', () => {
  test('flags AS whose case differs from FROM, and fixes it', () => {
    const content = df('FROM a:1 as build');
    const f = one(fromAsCasing, content);
    assert.deepEqual(f.range, at(0, 9, 11));
    assert.equal(f.message, "'as' does not match the casing of 'FROM'; write 'AS'.");
    assert.equal(fixed(fromAsCasing, content), df('FROM a:1 AS build'));
    assert.equal(fixed(fromAsCasing, df('from a:1 AS build')), df('from a:1 as build'));
    assert.equal(fixed(fromAsCasing, df('FROM --platform=linux/amd64 a:1 As build')), df('FROM --platform=linux/amd64 a:1 AS build'));
  });

  test('matching case, mixed-case FROM and FROM without AS are fine', () => {
    none(fromAsCasing, df('FROM a:1 AS x', 'from b:1 as y', 'From c:1 as z', 'FROM d:1'));
  });
});

describe('BH018 stage name casing', () => {
  test('lower-cases the name and every reference to it', () => {
    const content = df(
      'FROM golang:1 AS Builder',
      'FROM Builder AS Test',
      'COPY --from=BUILDER /a /a',
      'RUN --mount=type=bind,from=Builder,target=/src make',
      'FROM alpine:3',
      'COPY --from=builder /a /a',
    );
    const findings = check(stageNameCasing, content);
    assert.deepEqual(lines(findings), [0, 1]);
    assert.deepEqual(findings[0].range, at(0, 17, 24));
    assert.match(findings[0].message, /'Builder' should be lowercase \('builder'\)/);
    const once = applyFix(content, findings[0].fix!);
    assert.equal(
      once,
      df(
        'FROM golang:1 AS builder',
        'FROM builder AS Test',
        'COPY --from=builder /a /a',
        'RUN --mount=type=bind,from=builder,target=/src make',
        'FROM alpine:3',
        'COPY --from=builder /a /a',
      ),
    );
    assert.equal(fixed(stageNameCasing, once), once.replace('AS Test', 'AS test'));
  });

  test('lowercase names and unnamed stages are fine', () => {
    none(stageNameCasing, df('FROM a:1 AS build-env_2', 'FROM A:1', 'from b:1 as x'));
  });
});

describe('BH019 undefined variables', () => {
  test('flags an undeclared variable on the reference, suggesting ARG', () => {
    const f = one(undefinedVariable, df('FROM a:1', 'COPY $SRC /app/'));
    assert.deepEqual(f.range, at(1, 5, 9));
    assert.equal(f.message, 'SRC is not defined by an ARG or ENV before this line, so it expands to an empty string; declare it with ARG SRC.');
    assert.deepEqual(one(undefinedVariable, df('FROM a:1', 'WORKDIR /opt/${NAME}')).range, at(1, 13, 20));
  });

  test('suggests a close name', () => {
    assert.match(one(undefinedVariable, df('FROM a:1', 'ARG VERSION=1', 'LABEL v=$VERSOIN')).message, /did you mean \$VERSION\?/);
  });

  test('variables are visible only after the ARG/ENV that declares them, and only in their stage', () => {
    none(undefinedVariable, df('FROM a:1', 'ARG V=1', 'ENV APP=/app', 'COPY x-$V $APP/', 'ENV B=$APP'));
    assert.deepEqual(lines(check(undefinedVariable, df('FROM a:1', 'COPY $APP /', 'ENV APP=/app'))), [1]);
    assert.deepEqual(lines(check(undefinedVariable, df('FROM a:1', 'ENV A=1 B=$A'))), [1]);
    assert.deepEqual(lines(check(undefinedVariable, df('FROM a:1 AS one', 'ARG V', 'FROM b:1', 'USER $V'))), [3]);
  });

  test('one ARG can declare several names, with quoted defaults', () => {
    none(undefinedVariable, df('FROM a:1', 'ARG TARGETOS TARGETARCH V="1 2"', 'COPY bin/$TARGETOS-$TARGETARCH-$V /app'));
  });

  test('a stage built FROM an earlier stage inherits its ARGs and ENV', () => {
    none(undefinedVariable, df('FROM a:1 AS base', 'ENV APP=/app', 'FROM base', 'WORKDIR $APP'));
  });

  test('global ARGs are visible in FROM, and in a stage only once redeclared (with a fix)', () => {
    none(undefinedVariable, df('ARG BASE=debian:12', 'FROM $BASE', 'ARG BASE', 'LABEL base=$BASE'));
    const content = df('ARG VERSION=1', 'FROM a:1', 'RUN make', 'LABEL version=$VERSION');
    const f = one(undefinedVariable, content);
    assert.deepEqual(f.range, at(3, 14, 22));
    assert.match(f.message, /global ARG, which is only visible in FROM lines; redeclare it in this stage with ARG VERSION/);
    assert.equal(fixed(undefinedVariable, content), df('ARG VERSION=1', 'FROM a:1', 'ARG VERSION', 'RUN make', 'LABEL version=$VERSION'));
  });

  test('FROM lines see global ARGs declared above them and the platform args', () => {
    none(undefinedVariable, df('ARG TAG=1', 'FROM --platform=$BUILDPLATFORM golang:$TAG'));
    const f = one(undefinedVariable, df('FROM golang:${TAG}'));
    assert.deepEqual(f.range, at(0, 12, 18));
    assert.match(f.message, /ARG TAG=<default> at the top/);
  });

  test('platform args need ARG inside a stage; the fix declares them with matching case', () => {
    const content = df('from a:1', 'copy bin/$TARGETARCH/app /app');
    const f = one(undefinedVariable, content);
    assert.match(f.message, /predefined build argument/);
    assert.equal(fixed(undefinedVariable, content), df('from a:1', 'arg TARGETARCH', 'copy bin/$TARGETARCH/app /app'));
    none(undefinedVariable, df('FROM a:1', 'ARG TARGETARCH', 'COPY bin/$TARGETARCH/app /app'));
  });

  test('never looks at RUN, CMD, ENTRYPOINT, ONBUILD, HEALTHCHECK or heredoc bodies', () => {
    none(
      undefinedVariable,
      df(
        'FROM a:1',
        'RUN echo $X',
        'CMD echo $X',
        'ENTRYPOINT ["sh", "-c", "echo $X"]',
        'ONBUILD COPY $X /x',
        'HEALTHCHECK CMD curl $X',
        'COPY <<EOF /etc/conf',
        'value=$X ${Y}',
        'EOF',
        'ADD <<-EOT /etc/other',
        '\t$Z',
        '\tEOT',
      ),
    );
  });

  test('skips escaped and single-quoted dollars, guarded expansions, proxies and common image variables', () => {
    none(
      undefinedVariable,
      df(
        'FROM python:3.12',
        'ENV PATH=$PATH:/opt/bin HOME_DIR=$HOME',
        'LABEL a=\\$LITERAL b=\'$QUOTED\' c=${MAYBE:-default} d=${ALT:+x}',
        'COPY $HTTP_PROXY$http_proxy /x',
        'ENV PY=$PYTHON_VERSION',
      ),
    );
    assert.deepEqual(lines(check(undefinedVariable, df('FROM a:1', 'LABEL c=${MAYBE:-$FALLBACK}'))), [1]);
  });

  test('respects the escape directive and comment lines inside continuations', () => {
    none(undefinedVariable, df('# escape=`', 'FROM a:1', 'LABEL a=`$LITERAL'));
    assert.deepEqual(lines(check(undefinedVariable, df('# escape=`', 'FROM a:1', 'LABEL a=\\$REAL'))), [2]);
    none(undefinedVariable, df('FROM a:1', 'ENV A=1 \\', '  # see $NOT_A_VAR', '  B=2'));
  });
});
