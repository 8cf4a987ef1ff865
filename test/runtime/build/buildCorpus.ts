// The differential corpus under test/fixtures/builds/<case>/: a Dockerfile, context files and
// an optional case.json. This module reads a case, materialises its context in a temp dir
// (symlinks and empty dirs git cannot hold come from case.json), works out what the docker
// CLI sends (the .dockerignore rules), and predicts the image with berth's pure build core.
import { chmod, copyFile, lstat, mkdir, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { pack } from 'tar-stream';
import { unpackContext } from '../../../runtime/build/contextArchive';
import { dirname, join } from 'node:path';
import { copyFromStage, planBuild, parseBuildArgFlags, type BuildPlan } from '../../../runtime/build/buildPlan';
import { hostOwnerNames, resolveCopySources } from '../../../runtime/build/copySources';
import { compilePatterns, readDockerignore, removedByDaemon, selectContext, withBuildFilesKept, type ContextEntry } from '../../../runtime/build/dockerignore';
import type { BaseImage, FilesystemStep } from '../../../runtime/build/imageConfigBuilder';
import { buildMetadata, type StageImage } from '../../../runtime/build/metadataBuild';
import type { HistoryEntry } from '../../../runtime/store/imageConfig';

export const CORPUS = join(__dirname, '..', '..', 'fixtures', 'builds');

export interface BuildCase {
  name: string;
  dir: string;
  buildArgs: string[];
  target?: string;
  labels: Record<string, string>;
  /** Tag to give the built image, for cases that other cases build FROM. */
  tag?: string;
  /** Cases to build (and tag) first. */
  needs: string[];
  symlinks: Record<string, string>;
  dirs: string[];
  /** dockerd must fail with a message containing this; berth must fail too. */
  error?: string;
  /** After building, `cat` this file in the image and compare it with `expectFile`. */
  catFile?: string;
  expectFile?: string[];
  /** Paths (under the build context) that must be present in `catFile`, computed by berth. */
  listContextAt?: string;
}

export async function listCases(): Promise<string[]> {
  return (await readdir(CORPUS, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export async function readCase(name: string): Promise<BuildCase> {
  const dir = join(CORPUS, name);
  const json = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8').catch(() => '{}')) as Partial<BuildCase>;
  return { name, dir, buildArgs: [], labels: {}, needs: [], symlinks: {}, dirs: [], ...json };
}

/** Copies the case into `into`, adding its symlinks and empty dirs; case.json stays behind. */
export async function materialiseContext(buildCase: BuildCase, into: string): Promise<void> {
  await copyTree(buildCase.dir, into, (rel) => rel !== 'case.json');
  for (const dir of buildCase.dirs) await mkdir(join(into, dir), { recursive: true });
  for (const [path, target] of Object.entries(buildCase.symlinks)) {
    await mkdir(dirname(join(into, path)), { recursive: true });
    await symlink(target, join(into, path));
  }
}

/** What the CLI sends: the context after .dockerignore, copied to `into` as the daemon would unpack it. */
export async function sentContext(contextDir: string, into: string): Promise<{ sums: Map<string, string>; entries: ContextEntry[] }> {
  const ignore = await readFile(join(contextDir, '.dockerignore'), 'utf8').catch(() => '');
  const patterns = compilePatterns(withBuildFilesKept(readDockerignore(ignore), 'Dockerfile'));
  const all: ContextEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(contextDir, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const stat = await lstat(join(contextDir, path));
      all.push({ path, isDir: stat.isDirectory() });
      if (stat.isDirectory()) await walk(path);
    }
  };
  await walk('');
  const selected = selectContext(all, patterns);
  // The CLI sends the selection as a tar (owners 0:0, directories named `d/`); the daemon
  // unpacks it, hashing each entry, then drops the build files the .dockerignore names.
  const archive = pack();
  const packing = (async () => {
    for (const entry of selected) {
      const full = join(contextDir, entry.path);
      const stat = await lstat(full);
      const common = { mode: stat.mode & 0o7777, uid: 0, gid: 0, mtime: stat.mtime };
      if (stat.isDirectory()) archive.entry({ ...common, name: `${entry.path}/`, type: 'directory' });
      else if (stat.isSymbolicLink()) archive.entry({ ...common, name: entry.path, type: 'symlink', linkname: await readlink(full) });
      else archive.entry({ ...common, name: entry.path, type: 'file', size: stat.size }, await readFile(full));
    }
    archive.finalize();
  })();
  await mkdir(into, { recursive: true });
  const sums = await unpackContext(archive as unknown as AsyncIterable<Buffer>, into);
  await packing;
  const removed = new Set(removedByDaemon(readDockerignore(ignore), 'Dockerfile'));
  for (const path of removed) {
    sums.delete(path);
    await rm(join(into, path), { force: true });
  }
  const entries = selected.filter((e) => !removed.has(e.path));
  return { sums, entries };
}

export interface Prediction {
  plan: BuildPlan;
  target: StageImage;
}

/**
 * berth's prediction for a case. RUN and COPY/ADD change files (the corpus is written so);
 * WORKDIR leaves an empty layer when the directory already exists in what we know of the
 * rootfs; COPY --from hashes are reported as `<from:…>` because the stage's files live in dockerd.
 */
export async function predict(
  buildCase: BuildCase,
  dockerfile: string,
  sentDir: string,
  sums: ReadonlyMap<string, string>,
  baseImage: (ref: string) => Promise<BaseImage & { history?: HistoryEntry[] }>,
  baseDirs: readonly string[],
  /** The root file system of a named stage, unpacked, for COPY --from hashes. */
  stageRootfs?: (stageName: string) => Promise<string>,
): Promise<Prediction> {
  const plan = planBuild(dockerfile, { buildArgs: parseBuildArgFlags(buildCase.buildArgs), target: buildCase.target, labels: buildCase.labels });
  const dirs = new Map<number, Set<string>>();
  const known = (stage: number): Set<string> => {
    let set = dirs.get(stage);
    if (!set) {
      const base = plan.stages[stage].base;
      set = new Set(base.kind === 'stage' ? known(base.index) : base.kind === 'image' ? baseDirs : ['/']);
      dirs.set(stage, set);
    }
    return set;
  };
  const addDir = (set: Set<string>, path: string): void => {
    for (let p = path; p !== '/' && p !== ''; p = dirname(p)) set.add(p);
  };
  const images = await buildMetadata(plan, {
    baseImage,
    async filesystemStep(stage, step: FilesystemStep) {
      const set = known(stage);
      if (step.kind === 'WORKDIR') {
        const existed = set.has(step.path.replace(/\/+$/, '') || '/');
        addDir(set, step.path.replace(/\/+$/, ''));
        return { emptyLayer: existed };
      }
      if (step.kind === 'RUN') return { emptyLayer: false };
      if (step.from !== '') {
        const ix = copyFromStage(plan.stages, stage, step.from, step.line);
        const name = ix === undefined ? '' : plan.stages[ix].name;
        if (!stageRootfs || name === '') return { emptyLayer: false, sourceHash: `<from:${step.from}>` };
        // Files of an image source are hashed with their real owners (moby's lazy source).
        const ownerNames = hostOwnerNames(await readFile('/etc/passwd', 'utf8'), await readFile('/etc/group', 'utf8'));
        const resolved = await resolveCopySources(await stageRootfs(name), step.sources, step.dest, step.kind, step.line, { imageSource: { ownerNames } });
        return { emptyLayer: false, sourceHash: resolved.hash };
      }
      const resolved = await resolveCopySources(sentDir, step.sources, step.dest, step.kind, step.line, { sums });
      const absolute = step.dest.startsWith('/') ? step.dest : `${step.workingDir}/${step.dest}`;
      addDir(set, step.dest.endsWith('/') || resolved.sources.some((s) => s.isDir) ? absolute.replace(/\/+$/, '') : dirname(absolute));
      return { emptyLayer: false, sourceHash: resolved.hash };
    },
  });
  return { plan, target: images.get(plan.target)! };
}

async function copyTree(from: string, to: string, keep: (rel: string) => boolean, rel = ''): Promise<void> {
  await mkdir(join(to, rel), { recursive: true });
  for (const name of (await readdir(join(from, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (!keep(path)) continue;
    const stat = await lstat(join(from, path));
    if (stat.isDirectory()) await copyTree(from, to, keep, path);
    else await copyEntry(join(from, path), join(to, path));
  }
}

async function copyEntry(from: string, to: string): Promise<void> {
  const stat = await lstat(from);
  await mkdir(dirname(to), { recursive: true });
  if (stat.isSymbolicLink()) await symlink(await readlink(from), to);
  else if (stat.isDirectory()) {
    await mkdir(to, { recursive: true });
    await chmod(to, stat.mode & 0o7777);
  } else {
    await copyFile(from, to);
    await chmod(to, stat.mode & 0o7777);
  }
}
