// pip rules (hadolint DL3013, DL3042).
import { Arg, Env } from 'dockerfile-ast';
import type { Finding, Rule } from '../rule';
import type { ShellWord } from '../../shell';
import { analyse, inheritedInstructions, simpleCommands, uncommittedMounts } from './analysis';
import type { RunCommand, RunInfo } from './analysis';
import { hasOption, parseArgs } from './command';
import type { ParsedArgs } from './command';
import { insertArgumentAfter, span } from './edits';

// Options (global and install) whose value is the next word, so it is not taken for a package.
const PIP_OPTIONS = {
  shortValue: 'bcefirt',
  longValue: [
    'abi', 'build', 'editable', 'extra-index-url', 'find-links', 'index-url', 'implementation', 'no-binary',
    'only-binary', 'platform', 'prefix', 'progress-bar', 'proxy', 'python-version', 'root', 'src', 'target',
    'trusted-host', 'upgrade-strategy', 'requirement', 'constraint', 'log', 'retries', 'timeout', 'exists-action',
    'cert', 'client-cert', 'cache-dir', 'python', 'config-settings', 'global-option', 'report',
  ],
};

interface PipInstall {
  readonly command: RunCommand;
  readonly parsed: ParsedArgs;
  readonly install: ShellWord;
}

// BH024 and BH035 both look for pip installs in every RUN: find them once per RUN (the
// analysis, and so each RunInfo, lives as long as the parsed Dockerfile).
const pipInstallsCache = new WeakMap<RunInfo, readonly PipInstall[]>();

/** `pip install`, `pip3.12 install`, `python3 -m pip install`. Callers must not modify the list. */
function pipInstalls(info: RunInfo): readonly PipInstall[] {
  const cached = pipInstallsCache.get(info);
  if (cached) return cached;
  const out: PipInstall[] = [];
  for (const command of info.commands) {
    const { name, args } = command.invocation;
    let pipArgs: readonly ShellWord[] | null = null;
    if (/^pip\d*(\.\d+)*$/.test(name)) pipArgs = args;
    else if (/^python\d*(\.\d+)*$/.test(name)) {
      const m = args.findIndex((a, k) => a.value === '-mpip' || (a.value === '-m' && args[k + 1]?.value === 'pip'));
      if (m >= 0) pipArgs = args.slice(m + (args[m].value === '-m' ? 2 : 1));
    }
    if (!pipArgs) continue;
    const parsed = parseArgs(pipArgs, PIP_OPTIONS);
    const install = parsed.operands[0];
    if (install?.value === 'install') out.push({ command, parsed, install });
  }
  pipInstallsCache.set(info, out);
  return out;
}

const VERSION_OPERATORS = ['==', '>=', '<=', '>', '<', '!=', '~=', '==='];
const VCS = /^(git|hg|svn|bzr)(\+|:)/;

// What hadolint accepts as pinned: a version specifier, a VCS URL with @ref, a local archive or path.
function pinned(pkg: string): boolean {
  if (VERSION_OPERATORS.some((op) => pkg.includes(op))) return true;
  if (VCS.test(pkg)) return pkg.includes('@');
  return pkg.endsWith('.whl') || pkg.endsWith('.tar.gz') || pkg.includes('/');
}

export const pipPinVersions: Rule = {
  id: 'BH024',
  hadolint: ['DL3013'],
  name: 'pip-pin-versions',
  defaultSeverity: 'warning',
  description: 'Unpinned pip packages make rebuilds install whatever version is current, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      for (const { parsed } of pipInstalls(info)) {
        // Requirements and constraints files, and the local project, carry their own pins.
        if (hasOption(parsed, 'r', 'requirement', 'c', 'constraint')) continue;
        const packages = parsed.operands.slice(1);
        if (packages.some((p) => p.value === '.')) continue;
        for (const pkg of packages) {
          if (pkg.expands || pinned(pkg.value)) continue;
          findings.push({
            range: pkg.range,
            message: `pip package ${pkg.value} is not pinned, so a rebuild can install a different version; use ${pkg.value}==<version> or a requirements file.`,
          });
        }
      }
    }
    return findings;
  },
};

const TRUTHY = /^(1|true|yes|on)$/i;

/** Whether PIP_NO_CACHE_DIR is set to a true value by ENV/ARG before `line` in the stage. */
function noCacheDirInEnvironment(info: RunInfo): boolean {
  let set = false;
  for (const instruction of inheritedInstructions(info.stage)) {
    if (instruction === info.run) break;
    const properties = instruction instanceof Env ? instruction.getProperties() : instruction instanceof Arg ? [instruction.getProperty()] : [];
    for (const p of properties) if (p?.getName() === 'PIP_NO_CACHE_DIR') set = TRUTHY.test(p.getValue() ?? '');
  }
  return set;
}

export const pipNoCacheDir: Rule = {
  id: 'BH035',
  hadolint: ['DL3042'],
  name: 'pip-no-cache-dir',
  defaultSeverity: 'warning',
  description: "pip keeps downloaded packages in its cache, which is dead weight in an image layer.",
  check(ctx) {
    const findings: Finding[] = [];
    for (const info of analyse(ctx).runs) {
      const installs = pipInstalls(info).filter((p) => !hasOption(p.parsed, 'no-cache-dir'));
      if (installs.length === 0) continue;
      // `PIP_NO_CACHE_DIR=1 pip install`, `export PIP_NO_CACHE_DIR=1`, or a cache mount for pip's cache.
      const words = simpleCommands(info).flatMap((c) => [...c.words]);
      if (words.some((w) => /^PIP_NO_CACHE_DIR=/.test(w.value) && TRUTHY.test(w.value.slice(17)))) continue;
      if (uncommittedMounts(info.run).some((t) => /(^|\/)(\.cache|pip)(\/|$)/.test(t))) continue;
      // Last, as it reads every ENV and ARG of the stage and the stages it is built from.
      if (noCacheDirInEnvironment(info)) continue;
      for (const { command, install } of installs) {
        findings.push({
          range: span(command.invocation.word, install),
          message: "pip install keeps its download cache in the layer; add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1).",
          fix: { title: 'Add --no-cache-dir', edits: [insertArgumentAfter(install, '--no-cache-dir')] },
        });
      }
    }
    return findings;
  },
};
