// The overlayfs "opaque directory" extended attribute, read and written through Debian's
// `attr` tools: Node has no xattr API, and one getfattr run over a whole upper dir is far
// cheaper than a process per directory.
import { runTool } from './runTool';

/** `trusted.` as root; `user.` for overlay mounted with `userxattr` inside a user namespace. */
export type OverlayXattrNamespace = 'trusted' | 'user';

const INSTALL_ATTR = 'apt-get install -y attr (the overlay whiteout format needs setfattr/getfattr)';

/** Marks `dir` opaque: in an overlay mount, lower layers' entries of `dir` are hidden. */
export async function markOpaque(dir: string, namespace: OverlayXattrNamespace): Promise<void> {
  await runTool('setfattr', ['-h', '-n', `${namespace}.overlay.opaque`, '-v', 'y', '--', dir], INSTALL_ATTR);
}

/** What the overlay xattrs of an upper dir say, by absolute path. */
export interface OverlayMarks {
  /** Directories whose lower contents are hidden (`overlay.opaque` = `y`). */
  readonly opaque: Set<string>;
  /**
   * Files whose content or name lives elsewhere (`overlay.metacopy`, `overlay.redirect`): the
   * upper dir is then not a plain diff, which needs the mount options `metacopy=off,redirect_dir=off`.
   */
  readonly indirect: Map<string, string>;
}

const OVERLAY_KEY = /^(trusted|user)\.overlay\.(opaque|metacopy|redirect)$/;

/** Reads the overlay xattrs of every path under `root` (itself included), not following symlinks. */
export async function scanOverlayMarks(root: string): Promise<OverlayMarks> {
  const { stdout } = await runTool(
    'getfattr',
    ['--absolute-names', '-R', '-P', '-h', '-d', '-m', OVERLAY_KEY.source, '-e', 'hex', '--', root],
    INSTALL_ATTR,
  );
  return parseOverlayDump(stdout);
}

/** Parses `getfattr -d -e hex` output: `# file: NAME` blocks of `key=0xHEX` lines. */
export function parseOverlayDump(dump: Buffer): OverlayMarks {
  const marks: OverlayMarks = { opaque: new Set(), indirect: new Map() };
  let file: string | undefined;
  for (const line of splitLines(dump)) {
    const text = line.toString('latin1');
    if (text.startsWith('# file: ')) {
      file = unescapeName(line.subarray('# file: '.length));
      continue;
    }
    const eq = text.indexOf('=');
    if (file === undefined || eq < 0) continue;
    const key = OVERLAY_KEY.exec(text.slice(0, eq));
    if (key === null) continue;
    // overlayfs treats only the value "y" (0x79) as opaque.
    if (key[2] === 'opaque') {
      if (text.slice(eq + 1) === '0x79') marks.opaque.add(file);
    } else {
      marks.indirect.set(file, key[0]);
    }
  }
  return marks;
}

function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      lines.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}

/** getfattr writes unprintable bytes and `\` of a file name as `\ooo` (octal). */
function unescapeName(raw: Buffer): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const octal = raw[i] === 0x5c ? raw.subarray(i + 1, i + 4).toString('latin1') : '';
    if (/^[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal, 8));
      i += 3;
    } else {
      bytes.push(raw[i]);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
