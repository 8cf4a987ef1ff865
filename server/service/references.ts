// Find all references for build stages and ARG/ENV variables. The library's highlight
// provider already resolves these symbols with Docker's scoping rules (a global ARG is not
// the stage's ARG; a stage name is matched case-insensitively), so references are exactly its
// highlights, with the declaration (a Write highlight) included only when asked for.
import type { DockerfileLanguageService } from 'dockerfile-language-service';
import { DocumentHighlightKind, type Location, type Position } from 'vscode-languageserver-types';

export function computeReferences(
  library: DockerfileLanguageService,
  uri: string,
  content: string,
  position: Position,
  includeDeclaration: boolean,
): Location[] {
  return library
    .computeHighlightRanges(content, position)
    .filter((h) => includeDeclaration || h.kind !== DocumentHighlightKind.Write)
    .map((h) => ({ uri, range: h.range }));
}
