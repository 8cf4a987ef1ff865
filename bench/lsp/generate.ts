// Deterministic generator for a large, realistic Dockerfile used by the LSP benchmark.
// The same seed and line count always give the same text, so berth and the reference server
// (and runs on different days) are measured on identical input.
//
// The file has several stages (`FROM image:tag AS name`), global and per-stage ARG/ENV, long
// multi-line RUN instructions (apt-get, pip, npm) with continuation lines, COPY --from,
// LABEL, EXPOSE, a few heredocs and comments. It also returns the positions the benchmark
// probes (completion points and the spot of the one-character edit).
import type { Position } from 'vscode-languageserver-protocol';

export interface Probes {
  /** Column 0 of an empty line between two instructions: completion offers instructions. */
  emptyLine: Position;
  /** Just after a `$` on a RUN continuation line: completion offers variables. */
  dollarInRun: Position;
  /** Just after `COPY --`: completion offers COPY flags. */
  copyFlag: Position;
  /** Just after `FROM ` of a stage (before the image name, never inside the tag). */
  fromStage: Position;
  /** Inside a package name on a RUN continuation line: where the one-character edit goes. */
  edit: Position;
}

export interface GeneratedDockerfile {
  text: string;
  /** The same file with a few values changed (same line count), for alternating full-text changes. */
  variant: string;
  lines: number;
  stages: number;
  probes: Probes;
}

/** mulberry32: tiny, fast, good enough for picking words. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASES: [string, string[]][] = [
  ['debian', ['bookworm-slim', '12.5-slim', 'bullseye-slim']],
  ['ubuntu', ['24.04', '22.04', 'noble']],
  ['python', ['3.12-slim-bookworm', '3.11-slim', '3.12.4-bookworm']],
  ['node', ['20-bookworm-slim', '22.3-bookworm', '20.14-slim']],
  ['golang', ['1.22-bookworm', '1.21.11-bookworm']],
  ['eclipse-temurin', ['21-jdk-jammy', '17-jre-jammy']],
];
const STAGE_NAMES = [
  'base', 'deps', 'builder', 'assets', 'compile', 'test', 'lint', 'docs', 'tools', 'bundle', 'migrate', 'worker',
  'api', 'web', 'runtime', 'final',
];
const APT = [
  'ca-certificates', 'curl', 'git', 'gnupg', 'build-essential', 'pkg-config', 'libssl-dev', 'libffi-dev',
  'libpq-dev', 'libxml2-dev', 'libxslt1-dev', 'zlib1g-dev', 'libjpeg62-turbo-dev', 'libpng-dev', 'unzip', 'xz-utils',
  'openssh-client', 'tini', 'dumb-init', 'jq', 'locales', 'tzdata', 'procps', 'netcat-openbsd', 'postgresql-client',
  'redis-tools', 'imagemagick', 'ffmpeg', 'graphviz', 'fonts-dejavu-core', 'libsqlite3-dev', 'libyaml-dev',
  'libreadline-dev', 'libncurses5-dev', 'libbz2-dev', 'liblzma-dev', 'tk-dev', 'uuid-dev', 'wget', 'less', 'vim-tiny',
];
const PIP = [
  'requests', 'urllib3', 'certifi', 'numpy', 'pandas', 'scipy', 'flask', 'gunicorn', 'uvicorn', 'fastapi', 'pydantic',
  'sqlalchemy', 'alembic', 'psycopg2-binary', 'redis', 'celery', 'boto3', 'botocore', 'pyyaml', 'jinja2', 'click',
  'rich', 'httpx', 'orjson', 'pytest', 'pytest-cov', 'mypy', 'ruff', 'black', 'structlog', 'tenacity', 'cryptography',
];
const NPM = [
  'typescript', 'esbuild', 'vite', 'react', 'react-dom', 'express', 'fastify', 'zod', 'pino', 'dotenv', 'lodash',
  'axios', 'prisma', 'eslint', 'prettier', 'vitest', 'tsx', 'pnpm', 'turbo', 'sharp', 'ws', 'undici', 'commander',
];
const ENV_VALUES: Record<string, string> = {
  APP_HOME: '/srv/app', APP_USER: 'app', APP_PORT: '8080', LOG_LEVEL: 'info', PYTHONDONTWRITEBYTECODE: '1',
  PYTHONUNBUFFERED: '1', PIP_NO_CACHE_DIR: 'off', NODE_ENV: 'production', NPM_CONFIG_LOGLEVEL: 'warn', LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8', TZ: 'Etc/UTC', PATH_PREFIX: '/opt/app/bin', CACHE_DIR: '/var/cache/app', DATA_DIR: '/var/lib/app',
  CONFIG_DIR: '/etc/app', BUILD_MODE: 'release', FEATURE_FLAGS: '"search,billing"', WORKERS: '4', TIMEOUT: '30s',
};
const ENV_NAMES = [
  'APP_HOME', 'APP_USER', 'APP_PORT', 'LOG_LEVEL', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'PIP_NO_CACHE_DIR',
  'NODE_ENV', 'NPM_CONFIG_LOGLEVEL', 'LANG', 'LC_ALL', 'TZ', 'PATH_PREFIX', 'CACHE_DIR', 'DATA_DIR', 'CONFIG_DIR',
  'BUILD_MODE', 'FEATURE_FLAGS', 'WORKERS', 'TIMEOUT',
];

export function generateDockerfile(targetLines = 3000, seed = 42): GeneratedDockerfile {
  const rand = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const version = (): string => `${int(0, 9)}.${int(0, 30)}.${int(0, 20)}`;
  const sample = <T>(list: readonly T[], n: number): T[] => {
    const copy = [...list];
    const out: T[] = [];
    while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(rand() * copy.length), 1)[0]);
    return out;
  };

  const out: string[] = [];
  const push = (...lines: string[]): void => {
    out.push(...lines);
  };
  const pos = (lineOffsetFromEnd: number, character: number): Position => ({
    line: out.length - lineOffsetFromEnd,
    character,
  });

  push(
    '# syntax=docker/dockerfile:1.7',
    '# Generated by bench/lsp/generate.ts for the berth LSP benchmark.',
    `# seed=${seed} lines=${targetLines}. Do not edit by hand.`,
    '',
    'ARG BASE_REGISTRY=docker.io',
    'ARG NODE_VERSION=20',
    'ARG PYTHON_VERSION=3.12',
    'ARG APP_VERSION=1.0.0',
    '',
  );

  const stageCount = Math.max(3, Math.min(STAGE_NAMES.length, Math.round(targetLines / 330)));
  const probeStage = Math.floor(stageCount / 2);
  const stages: string[] = [];
  const probes: Partial<Probes> = {};
  const reserveForEnd = 12;

  // Instruction chunks; each returns nothing and appends lines.
  const aptRun = (): void => {
    const pkgs = sample(APT, int(8, 24));
    push(`# system packages (${pkgs.length})`);
    push('RUN set -eux; \\', '    apt-get update; \\', '    apt-get install -y --no-install-recommends \\');
    for (const p of pkgs) push(`        ${p}=${version()}-${int(1, 9)} \\`);
    push('    ; \\', '    apt-get clean; \\', '    rm -rf /var/lib/apt/lists/*');
  };
  const pipRun = (): void => {
    const pkgs = sample(PIP, int(6, 18));
    push('RUN --mount=type=cache,target=/root/.cache/pip \\', '    python -m pip install --upgrade pip setuptools wheel \\');
    push('    && python -m pip install --no-cache-dir \\');
    for (const p of pkgs) push(`        ${p}==${version()} \\`);
    push('    && python -m pip check');
  };
  const npmRun = (): void => {
    const pkgs = sample(NPM, int(5, 14));
    push('RUN --mount=type=cache,target=/root/.npm \\', '    npm config set fund false \\');
    push('    && npm install --global --omit=dev \\');
    for (const p of pkgs) push(`        ${p}@${version()} \\`);
    push('    && npm cache verify');
  };
  const envBlock = (): void => {
    const names = sample(ENV_NAMES, int(3, 7));
    const values = names.map((n) => `${n}=${ENV_VALUES[n] ?? pick(['1', 'on', 'default'])}`);
    push(...values.map((v, i) => (i === 0 ? 'ENV ' : '    ') + v + (i < values.length - 1 ? ' \\' : '')));
  };
  const labelBlock = (name: string): void => {
    push(
      'LABEL org.opencontainers.image.title="' + name + '" \\',
      '      org.opencontainers.image.version="${APP_VERSION}" \\',
      '      org.opencontainers.image.vendor="Example Corp" \\',
      '      org.opencontainers.image.licenses="MIT"',
    );
  };
  const heredoc = (): void => {
    if (rand() < 0.5) {
      push('RUN <<EOF', 'set -eux', 'mkdir -p /srv/app/config /srv/app/data', 'echo "generated at build time" > /srv/app/BUILD', 'EOF');
    } else {
      push('COPY <<EOF /etc/app/app.conf', '[server]', `port = ${int(3000, 9000)}`, 'workers = 4', 'log_level = info', 'EOF');
    }
  };
  const shellRun = (): void => {
    const steps = int(4, 12);
    push('RUN set -eux; \\');
    for (let i = 0; i < steps; i++) {
      push(
        pick([
          `    mkdir -p /srv/app/dir${i}; \\`,
          `    echo "step ${i} for $APP_HOME" >> /tmp/build.log; \\`,
          `    chmod 0755 /srv/app/dir${i} || true; \\`,
          `    test -d "\${CACHE_DIR:-/tmp}" && ls -la "\${CACHE_DIR:-/tmp}" > /dev/null; \\`,
          `    find /srv/app -name '*.pyc' -delete; \\`,
        ]),
      );
    }
    push('    true');
  };

  for (let s = 0; s < stageCount; s++) {
    const name = STAGE_NAMES[s];
    const [image, tags] = pick(BASES);
    const budgetEnd = Math.round(((s + 1) * (targetLines - reserveForEnd)) / stageCount);
    push(`# ---------------------------------------------------------------- stage ${s + 1}: ${name}`);
    push(`FROM ${image}:${pick(tags)} AS ${name}`);
    if (s === probeStage) probes.fromStage = pos(1, 'FROM '.length);
    push('ARG APP_VERSION', `ARG BUILD_${name.toUpperCase()}=1`);
    envBlock();
    labelBlock(name);
    push(`WORKDIR /srv/app/${name}`);
    if (s > 0) {
      const from = stages[int(0, stages.length - 1)];
      push(`COPY --from=${from} /srv/app/${from} /srv/app/${from}`);
    }
    if (s === probeStage) {
      push('COPY --chown=app:app requirements.txt package.json ./');
      probes.copyFlag = pos(1, 'COPY --'.length);
      push('');
      probes.emptyLine = pos(1, 0);
      push('RUN set -eux; \\', '    mkdir -p "$APP_HOME"; \\', `    echo "building $APP_VERSION" > /srv/app/VERSION`);
      probes.dollarInRun = pos(2, '    mkdir -p "$'.length);
      push('RUN --mount=type=cache,target=/root/.npm \\', '    npm install --global \\', '        typescript@5.4.5 \\');
      probes.edit = pos(1, '        types'.length);
      push('        esbuild@0.21.5');
    }
    push('');
    let k = 0;
    while (out.length < budgetEnd - 40) {
      const chunk = k++ % 7;
      if (chunk === 0) aptRun();
      else if (chunk === 1) pipRun();
      else if (chunk === 2) npmRun();
      else if (chunk === 3) shellRun();
      else if (chunk === 4) heredoc();
      else if (chunk === 5) envBlock();
      else push(`# step ${k} of stage ${name}: keep layers small and cacheable`, `COPY src/${name}/part${k} /srv/app/${name}/part${k}`);
      push('');
    }
    // Top up with small chunks so every stage (and the file) ends close to its budget.
    while (out.length + 3 <= budgetEnd - 2) {
      k++;
      push(`# step ${k} of stage ${name}`, `COPY src/${name}/part${k} /srv/app/${name}/part${k}`, '');
    }
    push(`EXPOSE ${int(3000, 9000)}`, '');
    stages.push(name);
  }

  push('USER 10001:10001', 'HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8080/health || exit 1');
  push('ENTRYPOINT ["/usr/bin/tini", "--"]', 'CMD ["node", "server.js"]');
  let pad = 0;
  while (out.length < targetLines) push(`# end of generated file (${++pad})`);
  if (out.length > targetLines) throw new Error(`generator: produced ${out.length} lines, more than ${targetLines}`);

  const text = out.join('\n') + '\n';
  // A variant with the same shape: bump the global version and a few package pins.
  const variant = text
    .replace('ARG APP_VERSION=1.0.0', 'ARG APP_VERSION=1.0.1')
    .replace(/typescript@5\.4\.5/, 'typescript@5.4.6')
    ;
  if (variant === text) throw new Error('generator: variant is identical to the text');
  const lines = text.split('\n').length - 1;
  return { text, variant, lines, stages: stageCount, probes: probes as Probes };
}
