// conmon's control FIFO, `<bundle>/ctl`: one line per message, `<type> <height> <width>\n`, type 1
// resizing the terminal (conmon's WIN_RESIZE_EVENT, as Podman writes it). conmon keeps a reader
// open for its whole life, so opening without blocking fails only when conmon has gone; a resize
// sent before the terminal exists waits in the FIFO and applies once it does.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

const WIN_RESIZE_EVENT = 1;
/** conmon ignores sizes outside 0..1000. */
const MAX_DIMENSION = 1000;

export class TerminalSizeError extends Error {
  override name = 'TerminalSizeError';
}

/** The message for a resize, checked: whole numbers in conmon's range. */
export function resizeMessage(height: number, width: number): string {
  for (const [name, value] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_DIMENSION) throw new TerminalSizeError(`the terminal ${name} must be a whole number from 0 to ${MAX_DIMENSION}, got ${value}`);
  }
  return `${WIN_RESIZE_EVENT} ${height} ${width}\n`;
}

/** Resizes the terminal of the process conmon runs from `bundle`. false when conmon has gone. */
export async function resizeTerminal(bundle: string, height: number, width: number): Promise<boolean> {
  const message = resizeMessage(height, width);
  let handle;
  try {
    handle = await open(join(bundle, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENXIO: a FIFO nobody reads (conmon exited); ENOENT: never started or cleaned up.
    if (code === 'ENXIO' || code === 'ENOENT') return false;
    throw error;
  }
  try {
    await handle.write(message);
    return true;
  } finally {
    await handle.close();
  }
}
