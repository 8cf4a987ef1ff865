// The bridge's credential: 256 random bits, hex, in a file only the agent's user can read
// (0600). Clients read the file; the token never appears on a command line or in a URL, where
// other users could see it (ps, shell history, proxies). Compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileAtomic } from '../store/atomicFile';

export interface BridgeToken {
  readonly file: string;
  /** Whether `candidate` is the token, without leaking how much of it matched through timing. */
  matches(candidate: string): boolean;
}

export async function createBridgeToken(file: string): Promise<BridgeToken> {
  const secret = randomBytes(32).toString('hex');
  await writeFileAtomic(file, secret, { mode: 0o600 });
  const expected = Buffer.from(secret);
  return {
    file,
    matches(candidate: string): boolean {
      const given = Buffer.from(candidate);
      // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same.
      if (given.length !== expected.length) {
        timingSafeEqual(expected, expected);
        return false;
      }
      return timingSafeEqual(given, expected);
    },
  };
}
