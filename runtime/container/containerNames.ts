// Container names: what Docker accepts, and a generated `adjective_name` when none is given.
import { randomInt } from 'node:crypto';

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const ADJECTIVES = ['brave', 'calm', 'eager', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'nifty', 'quiet', 'sharp', 'tender', 'vivid', 'witty', 'zealous'];
const NAMES = ['curie', 'darwin', 'euler', 'hopper', 'kepler', 'lovelace', 'noether', 'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const base = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}`;
    const name = attempt < 10 ? base : `${base}${randomInt(1000)}`;
    if (!taken(name)) return name;
  }
}
