import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Range } from 'vscode-languageserver-types';
import { applyFix, check, lines } from '../support/ruleHarness';
import type { Finding, Rule } from '../../server/service/rules/rule';
import { runRules } from '../../server/service/rules/runRules';

function rule(id: string): Rule {
  const found = runRules.find((r) => r.id === id);
  assert.ok(found, id);
  return found;
}

/** The document text a finding's range covers. */
function textAt(content: string, range: Range): string {
  const lineStarts = [0];
  for (let i = 0; i < content.length; i++) if (content[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Range['start']): number => lineStarts[p.line] + p.character;
  return content.slice(offset(range.start), offset(range.end));
}

/** Asserts the rule reports exactly `expected` (the texts under its ranges) and returns the findings. */
function reports(id: string, content: string, expected: string[]): Finding[] {
  const findings = check(rule(id), content);
  assert.deepEqual(
    findings.map((f) => textAt(content, f.range)),
    expected,
    findings.map((f) => f.message).join('\n'),
  );
  return findings;
}

function silent(id: string, content: string): void {
  reports(id, content, []);
}

/** Applies the fix of the single finding, checks the rule is then silent, returns the text. */
function fixOf(id: string, content: string): string {
  const findings = check(rule(id), content);
  assert.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
  const fix = findings[0].fix;
  assert.ok(fix, 'expected a fix');
  const result = applyFix(content, fix);
  assert.deepEqual(check(rule(id), result), [], `still fires on:\n${result}`);
  return result;
}

function noFix(id: string, content: string): void {
  const findings = check(rule(id), content);
  assert.ok(findings.length > 0, 'expected a finding');
  assert.ok(findings.every((f) => f.fix === undefined), 'expected no fix');
}

describe('runRules', () => {
  it('lists BH020-BH039 in id order with hadolint ids', () => {
    assert.deepEqual(
      runRules.map((r) => r.id),
      Array.from({ length: 20 }, (_, k) => `BH0${20 + k}`),
    );
    for (const r of runRules) {
      assert.ok(r.hadolint.length > 0 && r.hadolint.every((h) => /^DL\d{4}$/.test(h)), r.id);
      assert.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    assert.equal(rule('BH032').defaultSeverity, 'info');
  });
});

describe('BH020 apt-get install without -y', () => {
  it('reports apt-get install on the command and subcommand', () => {
    const f = reports('BH020', 'FROM debian\nRUN apt-get install curl\n', ['apt-get install']);
    assert.match(f[0].message, /-y/);
    assert.deepEqual(lines(f), [1]);
  });

  it('sees through sudo, env, assignments, paths and options before the subcommand', () => {
    reports(
      'BH020',
      'FROM d\nRUN sudo apt-get install a && env DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get -q install b\nRUN DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-confold install c\n',
      ['apt-get install', '/usr/bin/apt-get -q install', 'apt-get -o Dpkg::Options::=--force-confold install'],
    );
  });

  it('accepts -y, --yes, --assume-yes, -qq, -yq and the Assume-Yes setting', () => {
    for (const opts of ['-y', '--yes', '--assume-yes', '-qq', '-q -q', '-yq', '-o APT::Get::Assume-Yes=true']) {
      silent('BH020', `FROM d\nRUN apt-get ${opts} install curl\n`);
      silent('BH020', `FROM d\nRUN apt-get install ${opts} curl\n`);
    }
  });

  it('stays silent on update alone, comments, quotes, look-alikes and non-shell heredocs', () => {
    silent('BH020', 'FROM d\nRUN apt-get update\n');
    silent('BH020', 'FROM d\n# RUN apt-get install curl\nRUN echo "apt-get install curl" && capt-get install x\n');
    silent('BH020', 'FROM d\nRUN apt-get update \\\n  # && apt-get install curl\n  && echo done\n');
    silent('BH020', 'FROM d\nRUN echo hi # apt-get install curl\n');
    silent('BH020', 'FROM d\nRUN python3 <<EOF\nimport os\nos.system("apt-get install x")\nEOF\n');
    silent('BH020', 'FROM d\nRUN cat <<EOF > /tmp/notes\napt-get install curl\nEOF\n');
    silent('BH020', 'FROM d\nCOPY <<EOF /x.sh\napt-get install curl\nEOF\n');
    silent('BH020', 'FROM d\nRUN ["echo", "apt-get install curl"]\n');
  });

  it('reports inside heredoc scripts, exec-form shells and argv', () => {
    const content = 'FROM d\nRUN <<EOF\napt-get update\napt-get install curl\nEOF\nRUN ["sh", "-c", "apt-get install x"]\nRUN ["apt-get", "install", "y"]\n';
    const f = reports('BH020', content, ['apt-get install', 'apt-get install', '"apt-get", "install"']);
    assert.deepEqual(lines(f), [3, 5, 6]);
  });

  it('fixes by adding -y after install', () => {
    assert.equal(fixOf('BH020', 'FROM d\nRUN apt-get install curl\n'), 'FROM d\nRUN apt-get install -y curl\n');
    assert.equal(
      fixOf('BH020', 'FROM d\nRUN apt-get update \\\n  && sudo apt-get install \\\n    curl\n'),
      'FROM d\nRUN apt-get update \\\n  && sudo apt-get install -y \\\n    curl\n',
    );
    assert.equal(fixOf('BH020', 'FROM d\nRUN ["apt-get", "install", "y"]\n'), 'FROM d\nRUN ["apt-get", "install", "-y", "y"]\n');
    assert.equal(fixOf('BH020', 'FROM d\nRUN ["sh", "-c", "apt-get install x"]\n'), 'FROM d\nRUN ["sh", "-c", "apt-get install -y x"]\n');
  });

  it('works with the backtick escape directive', () => {
    const content = '# escape=`\nFROM d\nRUN apt-get update `\n  && apt-get install curl\n';
    reports('BH020', content, ['apt-get install']);
    assert.equal(fixOf('BH020', content), '# escape=`\nFROM d\nRUN apt-get update `\n  && apt-get install -y curl\n');
  });
});

describe('BH021 apt-get install without --no-install-recommends', () => {
  it('reports and fixes', () => {
    reports('BH021', 'FROM d\nRUN apt-get install -y curl\n', ['apt-get install']);
    assert.equal(
      fixOf('BH021', 'FROM d\nRUN apt-get install -y curl\n'),
      'FROM d\nRUN apt-get install --no-install-recommends -y curl\n',
    );
  });

  it('accepts the option anywhere, or the Install-Recommends setting', () => {
    silent('BH021', 'FROM d\nRUN apt-get install -y curl --no-install-recommends\n');
    silent('BH021', 'FROM d\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n');
    silent('BH021', 'FROM d\nRUN apt-get update && apt-get upgrade -y\n');
  });
});

describe('BH022 apt lists cleanup', () => {
  it('reports apt-get update without removing the lists, on the update command', () => {
    const f = reports('BH022', 'FROM d\nRUN apt-get update && apt-get install -y curl\n', ['apt-get update']);
    assert.match(f[0].message, /rm -rf \/var\/lib\/apt\/lists/);
  });

  it('is satisfied by rm of the lists after the update', () => {
    silent('BH022', 'FROM d\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n');
    silent('BH022', 'FROM d\nRUN apt-get update \\\n  && apt-get install -y curl \\\n  && rm -rf /var/lib/apt/lists\n');
    reports('BH022', 'FROM d\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y x\n', ['apt-get update']);
  });

  it('ignores RUNs without update, cache mounts and stages that are only copied from', () => {
    silent('BH022', 'FROM d\nRUN apt-get install -y curl\n');
    silent('BH022', 'FROM d\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x\n');
    silent('BH022', 'FROM d AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /x /x\n');
    reports('BH022', 'FROM d AS base\nRUN apt-get update && apt-get install -y gcc\nFROM base\nRUN echo\n', ['apt-get update']);
    silent('BH022', 'FROM d\n# RUN apt-get update\nRUN echo "apt-get update"\n');
  });

  it('appends the rm at the end of the RUN, after continuation lines and before comments', () => {
    assert.equal(
      fixOf('BH022', 'FROM d\nRUN apt-get update \\\n  && apt-get install -y curl \\\n  # done\n'),
      'FROM d\nRUN apt-get update \\\n  && apt-get install -y curl && rm -rf /var/lib/apt/lists/* \\\n  # done\n',
    );
    assert.equal(
      fixOf('BH022', 'FROM d\nRUN apt-get update && apt-get install -y curl # tools\n'),
      'FROM d\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* # tools\n',
    );
  });

  it('knows that Docker joins the line after a continued comment into the RUN', () => {
    // The blank line and comment are dropped, so `CMD x` is part of the RUN, as for Docker.
    assert.equal(
      fixOf('BH022', 'FROM d\nRUN apt-get update && apt-get install -y curl \\\n  # done\n\nCMD x\n'),
      'FROM d\nRUN apt-get update && apt-get install -y curl \\\n  # done\n\nCMD x && rm -rf /var/lib/apt/lists/*\n',
    );
  });

  it('adds a line before the terminator of a heredoc script', () => {
    assert.equal(
      fixOf('BH022', 'FROM d\nRUN <<EOF\n  apt-get update\n  apt-get install -y curl\nEOF\n'),
      'FROM d\nRUN <<EOF\n  apt-get update\n  apt-get install -y curl\n  rm -rf /var/lib/apt/lists/*\nEOF\n',
    );
  });

  it('does not offer a fix when a later RUN would need the lists', () => {
    noFix('BH022', 'FROM d\nRUN apt-get update\nRUN apt-get install -y curl\n');
  });
});

describe('BH023 apt-get install pinning', () => {
  it('reports each unpinned package', () => {
    reports('BH023', 'FROM d\nRUN apt-get install -y --no-install-recommends curl git=1:2.39 ./x.deb\n', ['curl']);
    reports('BH023', 'FROM d\nRUN apt-get install -y \\\n  curl \\\n  wget\n', ['curl', 'wget']);
  });

  it('accepts pinned, release-pinned, local and variable packages, and option values', () => {
    silent('BH023', 'FROM d\nRUN apt-get install -y curl=7.88 foo/bookworm-backports /tmp/x.deb $PKGS\n');
    silent('BH023', 'FROM d\nRUN apt-get install -y -t bookworm-backports curl=1 -o Acquire::Retries=3\n');
    silent('BH023', 'FROM d\nRUN apt-get update\n');
  });

  it('has no fix', () => {
    noFix('BH023', 'FROM d\nRUN apt-get install -y curl\n');
  });
});

describe('BH024 pip pinning', () => {
  it('reports unpinned packages', () => {
    reports('BH024', 'FROM p\nRUN pip install flask requests==2.31 && python3 -m pip install --upgrade pip\n', ['flask', 'pip']);
    reports('BH024', 'FROM p\nRUN pip3.12 install --index-url https://x/simple django\n', ['django']);
    reports('BH024', 'FROM p\nRUN pip install git+https://github.com/a/b.git#egg=b\n', ['git+https://github.com/a/b.git#egg=b']);
  });

  it('accepts versions, requirement and constraint files, local paths and VCS refs', () => {
    for (const args of [
      "'flask>=2' 'b<3' c~=1.0 d!=2 e===1",
      '-r requirements.txt',
      '--requirement=requirements.txt',
      'flask -c constraints.txt',
      '.',
      '-e . ',
      './pkg /tmp/x.whl dist/y.tar.gz',
      'git+https://github.com/a/b.git@v1#egg=b',
      '--no-cache-dir --target /opt/x flask==2',
    ]) {
      silent('BH024', `FROM p\nRUN pip install ${args}\n`);
    }
    silent('BH024', 'FROM p\nRUN pipx install black && pip download flask && pip freeze\n');
  });

  it('has no fix', () => {
    noFix('BH024', 'FROM p\nRUN pip install flask\n');
  });
});

describe('BH025 npm pinning', () => {
  it('reports unpinned packages', () => {
    reports('BH025', 'FROM n\nRUN npm install -g typescript @types/node@20 @angular/cli\n', ['typescript', '@angular/cli']);
    reports('BH025', 'FROM n\nRUN npm i --registry https://r.example express\n', ['express']);
  });

  it('accepts npm install without packages, versions, tags, git refs, tarballs and folders', () => {
    silent('BH025', 'FROM n\nRUN npm install && npm ci && npm install --production\n');
    silent('BH025', 'FROM n\nRUN npm install express@4.18.2 npm@latest git+https://github.com/a/b.git#v1 ./x.tgz ./local ../up\n');
  });
});

describe('BH026 apk pinning', () => {
  it('reports unpinned packages, not option values', () => {
    reports('BH026', 'FROM alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.4-r2\n', ['gcc']);
  });

  it('accepts pinned packages and .apk files', () => {
    silent('BH026', "FROM alpine\nRUN apk add --no-cache bash=5.2.15-r5 curl~8 'git>2' /tmp/x.apk\n");
    silent('BH026', 'FROM alpine\nRUN apk update && apk del gcc\n');
  });
});

describe('BH027 apk add without --no-cache', () => {
  it('reports and fixes', () => {
    reports('BH027', 'FROM alpine\nRUN apk add bash=5\n', ['apk add']);
    assert.equal(fixOf('BH027', 'FROM alpine\nRUN apk --update add bash=5\n'), 'FROM alpine\nRUN apk --update add --no-cache bash=5\n');
  });

  it('accepts --no-cache, an apk cache mount, or removing the cache in the same RUN', () => {
    silent('BH027', 'FROM alpine\nRUN apk add --no-cache bash\n');
    silent('BH027', 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add bash\n');
    silent('BH027', 'FROM alpine\nRUN apk add bash && rm -rf /var/cache/apk/*\n');
  });
});

describe('BH028 cd in RUN', () => {
  it('reports the first cd of a RUN', () => {
    const f = reports('BH028', 'FROM d\nRUN cd /src && make && cd /\n', ['cd /src']);
    assert.match(f[0].message, /WORKDIR/);
    assert.equal(f[0].fix, undefined);
  });

  it('ignores cd in strings, comments and other programs', () => {
    silent('BH028', 'FROM d\nRUN echo "cd /x" && abcd /x # cd /y\nWORKDIR /src\n');
  });
});

describe('BH029 sudo', () => {
  it('reports sudo and removes a plain sudo', () => {
    reports('BH029', 'FROM d\nRUN sudo apt-get update && sudo -u app make\n', ['sudo', 'sudo']);
    assert.equal(fixOf('BH029', 'FROM d\nRUN sudo  make install\n'), 'FROM d\nRUN make install\n');
    assert.equal(fixOf('BH029', 'FROM d\nRUN ["sudo", "make"]\n'), 'FROM d\nRUN ["make"]\n');
  });

  it('offers no fix when sudo has options', () => {
    noFix('BH029', 'FROM d\nRUN sudo -u app make\n');
  });

  it('ignores sudo as an argument or in quotes', () => {
    silent('BH029', 'FROM d\nRUN echo "sudo make" && apt-get install -y sudo && usermod -aG sudo app\n');
  });
});

describe('BH030 pipefail', () => {
  it('reports the first pipe of a RUN', () => {
    const f = reports('BH030', 'FROM d\nRUN curl -fsSL https://x | tar -xz | tee log\n', ['|']);
    assert.deepEqual(f[0].range.start, { line: 1, character: 25 });
  });

  it('accepts set -o pipefail before the pipe, or a SHELL with pipefail in the stage or its parent', () => {
    silent('BH030', 'FROM d\nRUN set -euxo pipefail && curl x | sh\n');
    silent('BH030', 'FROM d\nRUN set -o errexit -o pipefail; curl x | sh\n');
    silent('BH030', 'FROM d\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl x | sh\n');
    silent('BH030', 'FROM d AS base\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nFROM base\nRUN curl x | sh\n');
    reports('BH030', 'FROM d\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM d\nRUN curl x | sh\n', ['|']);
    reports('BH030', 'FROM d\nRUN curl x | sh && set -o pipefail\n', ['|']);
  });

  it('ignores exec form, non-POSIX shells, || and quoted pipes', () => {
    silent('BH030', 'FROM d\nRUN ["sh", "-c", "curl x | sh"]\n');
    silent('BH030', 'FROM w\nSHELL ["powershell", "-Command"]\nRUN Get-Item x | Remove-Item\n');
    silent('BH030', 'FROM d\nRUN a || b && echo "a | b" \'|\' # | c\n');
    // Commands that run no program (assignments, redirections alone) do not hide a later `set`.
    silent('BH030', 'FROM d\nRUN A=1; >/log; set -o pipefail; curl x | sh\n');
    reports('BH030', 'FROM d\nRUN A=1 && >/log && curl x | sh; set -o pipefail\n', ['|']);
  });

  it('reports pipes in a heredoc script', () => {
    reports('BH030', 'FROM d\nRUN <<EOF\ncurl x | sh\nEOF\n', ['|']);
    silent('BH030', 'FROM d\nRUN <<EOF\nset -o pipefail\ncurl x | sh\nEOF\n');
  });

  it('asks for set -o pipefail inside a script run by a shell the RUN starts itself', () => {
    // SHELL options do not reach `bash <<EOF` or a #! script.
    reports('BH030', 'FROM d\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN bash <<EOF\ncurl x | sh\nEOF\n', ['|']);
    silent('BH030', 'FROM d\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN <<EOF\ncurl x | sh\nEOF\n');
    reports('BH030', 'FROM d\nRUN set -o pipefail && bash <<EOF\ncurl x | sh\nEOF\n', ['|']);
    assert.equal(
      fixOf('BH030', 'FROM d\nRUN bash <<EOF\n  cd /x\n  curl x | sh\nEOF\n'),
      'FROM d\nRUN bash <<EOF\n  set -o pipefail\n  cd /x\n  curl x | sh\nEOF\n',
    );
    assert.equal(
      fixOf('BH030', 'FROM d\nRUN <<EOF\n#!/bin/bash\ncurl x | sh\nEOF\n'),
      'FROM d\nRUN <<EOF\n#!/bin/bash\nset -o pipefail\ncurl x | sh\nEOF\n',
    );
  });

  it('fixes by adding a SHELL line before the RUN, with ash on alpine', () => {
    assert.equal(
      fixOf('BH030', 'FROM debian\n  RUN curl x | sh\n'),
      'FROM debian\n  SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n  RUN curl x | sh\n',
    );
    assert.equal(
      fixOf('BH030', 'FROM alpine:3.20\nRUN wget -O- x | tar -x\n'),
      'FROM alpine:3.20\nSHELL ["/bin/ash", "-o", "pipefail", "-c"]\nRUN wget -O- x | tar -x\n',
    );
  });
});

describe('BH031 useradd -l', () => {
  it('reports useradd with a high UID and fixes with -l', () => {
    reports('BH031', 'FROM d\nRUN useradd -u 1000000 app\n', ['useradd']);
    assert.equal(fixOf('BH031', 'FROM d\nRUN useradd --uid=123456 -m app\n'), 'FROM d\nRUN useradd -l --uid=123456 -m app\n');
  });

  it('ignores low or unknown UIDs and -l/--no-log-init', () => {
    silent('BH031', 'FROM d\nRUN useradd -u 1000 app && useradd -u $UID b && useradd app2\n');
    silent('BH031', 'FROM d\nRUN useradd -l -u 1000000 app && useradd --no-log-init -u 200000 b && useradd -lu 300000 c\n');
  });
});

describe('BH032 consecutive RUN', () => {
  it('reports the second RUN of consecutive RUNs, naming the previous line', () => {
    const f = reports('BH032', 'FROM d\nRUN apt-get update\nRUN apt-get install -y x\nRUN echo\n', ['RUN', 'RUN']);
    assert.deepEqual(lines(f), [2, 3]);
    assert.match(f[0].message, /line 2/);
    assert.equal(rule('BH032').defaultSeverity, 'info');
  });

  it('ignores RUNs separated by other instructions, with flags, heredocs, exec form or many commands', () => {
    silent('BH032', 'FROM d\nRUN a\nWORKDIR /x\nRUN b\n');
    silent('BH032', 'FROM d\nRUN a\nRUN --mount=type=cache,target=/x b\n');
    silent('BH032', 'FROM d\nRUN a\nRUN <<EOF\nb\nEOF\n');
    silent('BH032', 'FROM d\nRUN a\nRUN cat <<EOF\nb\nEOF\n');
    silent('BH032', 'FROM d\nRUN a\nRUN ["b"]\n');
    silent('BH032', 'FROM d\nRUN a && b && c\nRUN d\n');
    silent('BH032', 'FROM d\nRUN a\nFROM e\nRUN b\n');
  });

  it('still reports across a comment', () => {
    reports('BH032', 'FROM d\nRUN a\n# why\nRUN b\n', ['RUN']);
  });

  it('reports RUNs whose << is not a heredoc', () => {
    reports('BH032', 'FROM d\nRUN a\nRUN echo "<<EOF"\n', ['RUN']);
  });

  it('merges the two RUNs', () => {
    assert.equal(fixOf('BH032', 'FROM d\nRUN apt-get update\nRUN apt-get install -y x\n'), 'FROM d\nRUN apt-get update && \\\n    apt-get install -y x\n');
    assert.equal(
      fixOf('BH032', 'FROM d\nRUN a \\\n  && b\n\n# then c\nRUN c | d\n'),
      'FROM d\nRUN a \\\n  && b && \\\n# then c\n  c | d\n',
    );
    assert.equal(fixOf('BH032', '# escape=`\nFROM d\nRUN a\nRUN b\n'), '# escape=`\nFROM d\nRUN a && `\n    b\n');
  });

  it('does not offer a merge that would change meaning', () => {
    noFix('BH032', 'FROM d\nRUN a\nRUN b || true\n');
    noFix('BH032', 'FROM d\nRUN a # note\nRUN b\n');
  });
});

describe('BH033 apt instead of apt-get', () => {
  it('reports apt and replaces it with apt-get', () => {
    reports('BH033', 'FROM d\nRUN apt update && apt install -y x\n', ['apt', 'apt']);
    assert.equal(fixOf('BH033', 'FROM d\nRUN /usr/bin/apt install -y x\n'), 'FROM d\nRUN /usr/bin/apt-get install -y x\n');
    assert.equal(fixOf('BH033', 'FROM d\nRUN ["apt", "install", "-y", "x"]\n'), 'FROM d\nRUN ["apt-get", "install", "-y", "x"]\n');
    assert.equal(fixOf('BH033', 'FROM d\nRUN apt full-upgrade -y\n'), 'FROM d\nRUN apt-get dist-upgrade -y\n');
  });

  it('offers no fix for apt-only subcommands', () => {
    noFix('BH033', 'FROM d\nRUN apt list --installed\n');
  });

  it('ignores apt-get, apt-cache, aptitude and apt as an argument', () => {
    silent('BH033', 'FROM d\nRUN apt-get update && apt-cache policy && aptitude x && echo apt && which apt\n');
  });
});

describe('BH034 apt-get upgrade', () => {
  it('reports upgrade and dist-upgrade', () => {
    reports('BH034', 'FROM d\nRUN apt-get update && apt-get -y upgrade && apt-get dist-upgrade -y\n', ['apt-get -y upgrade', 'apt-get dist-upgrade']);
    noFix('BH034', 'FROM d\nRUN apt-get upgrade\n');
  });

  it('ignores installing a package named upgrade-something', () => {
    silent('BH034', 'FROM d\nRUN apt-get install -y upgrade\n');
  });
});

describe('BH035 pip --no-cache-dir', () => {
  it('reports pip install and fixes', () => {
    reports('BH035', 'FROM p\nRUN pip install flask==2\n', ['pip install']);
    assert.equal(fixOf('BH035', 'FROM p\nRUN python -m pip install flask==2\n'), 'FROM p\nRUN python -m pip install --no-cache-dir flask==2\n');
  });

  it('accepts --no-cache-dir, PIP_NO_CACHE_DIR set by ENV, ARG or in the RUN, and pip cache mounts', () => {
    silent('BH035', 'FROM p\nRUN pip install --no-cache-dir flask==2\n');
    silent('BH035', 'FROM p\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==2\n');
    silent('BH035', 'FROM p AS base\nENV PIP_NO_CACHE_DIR=true\nFROM base\nRUN pip install flask==2\n');
    silent('BH035', 'FROM p\nRUN PIP_NO_CACHE_DIR=1 pip install flask==2\n');
    silent('BH035', 'FROM p\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==2\n');
    reports('BH035', 'FROM p\nRUN pip install flask==2\nENV PIP_NO_CACHE_DIR=1\n', ['pip install']);
    reports('BH035', 'FROM p\nENV PIP_NO_CACHE_DIR=0\nRUN pip install flask==2\n', ['pip install']);
  });

  it('ignores pipx, pip download and uninstall', () => {
    silent('BH035', 'FROM p\nRUN pipx install black && pip download x && pip uninstall -y x\n');
  });
});

describe('BH036 curl and wget', () => {
  it('reports uses of the tool that came second in the stage', () => {
    const f = reports('BH036', 'FROM d\nRUN wget -q https://a\nRUN curl -fsS https://b && wget https://c\nRUN curl https://d\n', ['curl', 'curl']);
    assert.match(f[0].message, /wget \(line 2\)/);
    noFix('BH036', 'FROM d\nRUN wget a && curl b\n');
  });

  it('does not analyse shell-form RUNs under a PowerShell or cmd SHELL', () => {
    silent('BH036', 'FROM w\nSHELL ["powershell", "-Command"]\nRUN wget a; curl b\n');
    silent('BH028', 'FROM w\nSHELL ["cmd", "/S", "/C"]\nRUN cd x && y\n');
    reports('BH028', 'FROM w AS a\nSHELL ["pwsh", "-c"]\nFROM a\nSHELL ["/bin/sh", "-c"]\nRUN cd x && y\n', ['cd x']);
  });

  it('is per stage and ignores installing both', () => {
    silent('BH036', 'FROM d\nRUN wget a\nFROM d\nRUN curl b\n');
    silent('BH036', 'FROM d\nRUN apt-get install -y curl wget && curl x\n');
  });
});

describe('BH037 yum/dnf/microdnf/zypper install without -y', () => {
  it('reports and fixes each package manager', () => {
    reports('BH037', 'FROM r\nRUN yum install a && dnf -q install b && microdnf install c && zypper in d && yum groupinstall e\n', [
      'yum install',
      'dnf -q install',
      'microdnf install',
      'zypper in',
      'yum groupinstall',
    ]);
    assert.equal(fixOf('BH037', 'FROM r\nRUN dnf install httpd\n'), 'FROM r\nRUN dnf install -y httpd\n');
    assert.equal(fixOf('BH037', 'FROM r\nRUN zypper install vim\n'), 'FROM r\nRUN zypper install -y vim\n');
  });

  it('accepts -y, --assumeyes, and zypper -n / --non-interactive / --no-confirm', () => {
    silent('BH037', 'FROM r\nRUN yum -y install a && dnf install --assumeyes b && microdnf install -y c\n');
    silent('BH037', 'FROM r\nRUN zypper -n install a && zypper --non-interactive in b && zypper install --no-confirm c\n');
    silent('BH037', 'FROM r\nRUN yum update -y && dnf clean all && zypper refresh\n');
  });
});

describe('BH038 ln /bin/sh', () => {
  it('reports a link replacing /bin/sh', () => {
    reports('BH038', 'FROM d\nRUN ln -sf /bin/bash /bin/sh\n', ['/bin/sh']);
    noFix('BH038', 'FROM d\nRUN ln -sf /bin/bash /bin/sh\n');
  });

  it('ignores links from /bin/sh elsewhere', () => {
    silent('BH038', 'FROM d\nRUN ln -s /bin/sh /usr/local/bin/sh && echo ln -s x /bin/sh\n');
  });
});

describe('BH039 gem pinning', () => {
  it('reports unpinned gems', () => {
    reports('BH039', 'FROM r\nRUN gem install rails bundler:2.5.3 --no-document\n', ['rails']);
    noFix('BH039', 'FROM r\nRUN gem install rails\n');
  });

  it('accepts -v/--version, name:version, local gems and build options after --', () => {
    silent('BH039', 'FROM r\nRUN gem install rails -v 7.1 && gem install nokogiri --version=1.16 && gem i x.gem\n');
    silent('BH039', 'FROM r\nRUN gem install mysql2:0.5.6 -- --with-mysql-config=/usr/bin/mysql_config\n');
    silent('BH039', 'FROM r\nRUN gem update --system && gem list\n');
  });
});
