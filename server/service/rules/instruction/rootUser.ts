// BH008: the last USER of the final stage is who the container runs as. Ending on root gives
// any compromise of the process full control of the container.
import type { Rule } from '../rule';
import { documentOf, keywordOf, stagesOf, textOf, unquote } from './support';

export const rootUser: Rule = {
  id: 'BH008',
  hadolint: ['DL3002'],
  name: 'root-user',
  defaultSeverity: 'warning',
  description: 'A container that runs as root turns any compromise of its process into full control of the container.',
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const stages = stagesOf(ctx.dockerfile);
    const final = stages[stages.length - 1];
    // No USER at all is not reported (hadolint does not either): the base image decides.
    const user = final?.instructions.filter((i) => keywordOf(i) === 'USER').pop();
    const range = user?.getArgumentsRange();
    if (!range) return [];
    const written = unquote(textOf(document, range).trim());
    const name = written.split(':')[0];
    if (name !== 'root' && name !== '0') return [];
    return [
      {
        range,
        message: `The image runs as ${written}, because this is the last USER of the final stage; switch to an unprivileged user (e.g. USER 10001) once the steps that need root are done.`,
      },
    ];
  },
};
