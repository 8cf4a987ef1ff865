// Completion of the image in a FROM instruction, from images berth's agent has locally and
// the stages defined earlier. The reference library looks tags up on Docker Hub from inside
// its completion code; berth never does network I/O here: images come from an injected provider.
import type { Dockerfile, From } from 'dockerfile-ast';
import { CompletionItemKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver-types';

export interface LocalImage {
  /** A `repository:tag` reference, e.g. `busybox:latest` or `127.0.0.1:5000/app:dev`. */
  readonly reference: string;
  readonly id?: string;
  readonly size?: number;
  /** Creation time, seconds since the epoch. */
  readonly created?: number;
}

/** Supplies the images the connected agent knows. Returns [] when no agent is connected. */
export interface ImageProvider {
  listImages(): Promise<readonly LocalImage[]>;
}

export const NO_IMAGES: ImageProvider = { listImages: async () => [] };

function contains(range: Range, position: Position): boolean {
  const afterStart =
    position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd =
    position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

export interface ImageSlot {
  from: From;
  /** The range of the image text typed so far (empty when nothing is typed yet). */
  range: Range;
  prefix: string;
}

/**
 * The FROM whose image the cursor is on, if any: either inside its image argument, or at the
 * place the image goes after the keyword and any flags.
 */
export function imageSlotAt(dockerfile: Dockerfile, lineText: string, position: Position): ImageSlot | undefined {
  for (const from of dockerfile.getFROMs()) {
    const range = from.getRange();
    if (position.line < range.start.line || position.line > range.end.line) continue;
    const image = from.getImageRange();
    if (image && contains(image, position)) {
      const start = image.start;
      if (start.line !== position.line) return undefined;
      return { from, range: { start, end: image.end }, prefix: lineText.slice(start.character, position.character) };
    }
    if (image) return undefined;
    // No image yet: only complete right after `FROM ` and flags, with whitespace before the cursor.
    const keyword = from.getInstructionRange();
    const flagsEnd = from.getFlags().reduce((end, flag) => Math.max(end, flag.getRange().end.character), keyword.end.character);
    if (position.line === keyword.start.line && position.character > flagsEnd && /\s$/.test(lineText.slice(0, position.character))) {
      return { from, range: { start: position, end: position }, prefix: '' };
    }
  }
  return undefined;
}

/** Completion items for the image slot, filtered by what is typed (a name, or `name:` for tags). */
export function imageCompletions(dockerfile: Dockerfile, slot: ImageSlot, images: readonly LocalImage[]): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (label: string, item: Omit<CompletionItem, 'label'>) => {
    if (seen.has(label) || !label.startsWith(slot.prefix)) return;
    seen.add(label);
    items.push({ label, textEdit: { range: slot.range, newText: label }, ...item });
  };
  const stageLine = slot.from.getRange().start.line;
  for (const from of dockerfile.getFROMs()) {
    const stage = from.getBuildStage();
    if (stage && from.getRange().start.line < stageLine) {
      add(stage, { kind: CompletionItemKind.Reference, detail: 'build stage', sortText: `0${stage}` });
    }
  }
  for (const image of images) {
    const detail = ['local image', image.id?.replace(/^sha256:/, '').slice(0, 12), image.size !== undefined ? humanSize(image.size) : undefined]
      .filter(Boolean)
      .join(' · ');
    add(image.reference, { kind: CompletionItemKind.Module, detail, sortText: `1${image.reference}` });
  }
  add('scratch', { kind: CompletionItemKind.Keyword, detail: 'an empty image', sortText: '2scratch' });
  return items;
}

export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
