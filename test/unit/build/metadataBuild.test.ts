import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BuildError } from '../../../runtime/build/buildError';
import { planBuild } from '../../../runtime/build/buildPlan';
import type { FilesystemStep } from '../../../runtime/build/imageConfigBuilder';
import { buildMetadata, parseTrigger } from '../../../runtime/build/metadataBuild';

describe('buildMetadata', () => {
  it('runs base ONBUILD triggers first, chains stages, and asks the hooks for filesystem steps only', async () => {
    const plan = planBuild(['FROM parent AS a', 'RUN make', 'ONBUILD ENV X=1', 'FROM a', 'COPY f /f', 'WORKDIR /srv'].join('\n'));
    const steps: [number, string][] = [];
    const images = await buildMetadata(plan, {
      async baseImage(ref) {
        assert.equal(ref, 'parent');
        return { config: { Env: ['PATH=/bin'], OnBuild: ['LABEL from=parent'] }, history: [{ created_by: 'parent' }] };
      },
      async filesystemStep(stage, step: FilesystemStep) {
        steps.push([stage, step.kind]);
        return step.kind === 'COPY' ? { emptyLayer: false, sourceHash: 'file:00' } : { emptyLayer: step.kind === 'WORKDIR' };
      },
    });
    assert.deepEqual(steps, [[0, 'RUN'], [1, 'COPY'], [1, 'WORKDIR']]);
    const final = images.get(1)!;
    assert.deepEqual(final.config, { Env: ['PATH=/bin', 'X=1'], Labels: { from: 'parent' }, WorkingDir: '/srv' });
    assert.deepEqual(final.history.map((h) => [h.created_by, h.empty_layer ?? false]), [
      ['parent', false],
      ['/bin/sh -c #(nop)  LABEL from=parent', true],
      ['/bin/sh -c make', false],
      ['/bin/sh -c #(nop)  ONBUILD ENV X=1', true],
      ['/bin/sh -c #(nop)  ENV X=1', true],
      ['/bin/sh -c #(nop) COPY file:00 in /f ', false],
      ['/bin/sh -c #(nop) WORKDIR /srv', true],
    ]);
  });

  it('reports a broken trigger from the base image at the FROM line', () => {
    assert.throws(() => parseTrigger('RUNN x', 7), (error: Error) => error instanceof BuildError && error.line === 7 && /ONBUILD trigger "RUNN x" from the base image: unknown instruction: RUNN/.test(error.message));
  });
});
