// Parsing what the system tools report: getfattr dumps and device numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitDeviceNumber } from '../../../runtime/archive/specialFiles';
import { parseOverlayDump } from '../../../runtime/archive/xattr';

test('a getfattr dump gives the opaque directories, with escaped names decoded', () => {
  const dump = Buffer.from(
    [
      '# file: /u/a',
      'trusted.overlay.opaque=0x79',
      '',
      '# file: /u/we ird=x\\134y',
      'trusted.overlay.opaque=0x79',
      '',
      '# file: /u/nl\\012x/caf\\303\\251',
      'user.overlay.opaque=0x79',
      '',
      '# file: /u/not-y',
      'trusted.overlay.opaque=0x6e',
      '',
      '# file: /u/moved',
      'trusted.overlay.redirect=0x2f78',
      '',
    ].join('\n'),
    'latin1',
  );
  const marks = parseOverlayDump(dump);
  assert.deepEqual([...marks.opaque].sort(), ['/u/a', '/u/nl\nx/café', '/u/we ird=x\\y']);
  assert.deepEqual([...marks.indirect], [['/u/moved', 'trusted.overlay.redirect']]);
  assert.equal(parseOverlayDump(Buffer.alloc(0)).opaque.size, 0);
});

test('device numbers split like glibc major()/minor()', () => {
  assert.deepEqual(splitDeviceNumber(0), { major: 0, minor: 0 });
  assert.deepEqual(splitDeviceNumber((1 << 8) | 3), { major: 1, minor: 3 }); // /dev/null
  assert.deepEqual(splitDeviceNumber((8 << 8) | 17), { major: 8, minor: 17 });
  // major 259, minor 65537: minor's high bits sit above the major's low bits.
  const rdev = ((259 & 0xfff) << 8) | (65537 & 0xff) | ((65537 & ~0xff) << 12);
  assert.deepEqual(splitDeviceNumber(rdev >>> 0), { major: 259, minor: 65537 });
  // A major beyond 12 bits lands in the high word.
  assert.deepEqual(splitDeviceNumber(4096 * 2 ** 32), { major: 4096, minor: 0 });
});
