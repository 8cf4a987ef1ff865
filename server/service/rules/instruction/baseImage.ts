// BH001 / BH002: base images should be pinned. An untagged or `latest` image changes under
// the build whenever a new release is pushed.
import type { From } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import type { Finding, Rule, RuleContext } from '../rule';
import { documentOf, findStage, stagesOf, textOf } from './support';
import { expand, globalArgValues } from './variables';

interface ImageRef {
  /** The image as written, e.g. `$BASE` or `node:latest`. */
  readonly written: string;
  /** After substituting global ARG defaults. */
  readonly resolved: string;
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string | null;
  readonly range: Range;
  /** The FROM line whose image this is. */
  readonly from: From;
  /** Whether the image names an earlier stage (`FROM build`), which needs no tag. */
  readonly isStage: boolean;
}

/** The base images of every FROM whose reference can be resolved statically. */
function baseImages(ctx: RuleContext): ImageRef[] {
  const document = documentOf(ctx.dockerfile, ctx.content);
  const globals = globalArgValues(ctx.dockerfile, document);
  const stages = stagesOf(ctx.dockerfile);
  const refs: ImageRef[] = [];
  for (const stage of stages) {
    const range = stage.from.getImageRange();
    if (!range) continue;
    const written = textOf(document, range);
    // `FROM $BASE` with BASE unknown (no default, or a build arg): nothing to say.
    const resolved = written.includes('$') ? expand(written, globals, ctx.dockerfile.getEscapeCharacter()) : written;
    if (resolved === null || resolved === '') continue;
    const at = resolved.indexOf('@');
    const nameAndTag = at < 0 ? resolved : resolved.slice(0, at);
    const colon = nameAndTag.lastIndexOf(':');
    const hasTag = colon > nameAndTag.lastIndexOf('/');
    refs.push({
      written,
      resolved,
      repository: hasTag ? nameAndTag.slice(0, colon) : nameAndTag,
      tag: hasTag ? nameAndTag.slice(colon + 1) : null,
      digest: at < 0 ? null : resolved.slice(at + 1),
      range,
      from: stage.from,
      isStage: findStage(stages, resolved, stage.index) !== undefined,
    });
  }
  return refs;
}

function describe(ref: ImageRef): string {
  return ref.written === ref.resolved ? ref.written : `${ref.written} (${ref.resolved})`;
}

export const untaggedBaseImage: Rule = {
  id: 'BH001',
  hadolint: ['DL3006'],
  name: 'untagged-base-image',
  defaultSeverity: 'warning',
  description: 'An untagged base image means whatever `latest` is at build time, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const ref of baseImages(ctx)) {
      if (ref.tag !== null || ref.digest !== null || ref.isStage) continue;
      if (ref.repository.toLowerCase() === 'scratch') continue;
      findings.push({
        range: ref.range,
        message: `Base image ${describe(ref)} has no tag, so it builds on whatever 'latest' is at the time; pin a version tag (${ref.repository}:<version>) or a digest.`,
      });
    }
    return findings;
  },
};

export const latestBaseImage: Rule = {
  id: 'BH002',
  hadolint: ['DL3007'],
  name: 'latest-base-image',
  defaultSeverity: 'warning',
  description: 'The `latest` tag moves with every release, so builds are not reproducible.',
  check(ctx) {
    const findings: Finding[] = [];
    for (const ref of baseImages(ctx)) {
      // A digest pins the image; the tag next to it is only documentation.
      if (ref.tag !== 'latest' || ref.digest !== null) continue;
      const literal = ref.written === ref.resolved;
      findings.push({
        range: (literal ? ref.from.getImageTagRange() : null) ?? ref.range,
        message: `Base image ${describe(ref)} follows the moving 'latest' tag, so the build changes whenever a new release is pushed; pin a version tag or a digest.`,
      });
    }
    return findings;
  },
};
