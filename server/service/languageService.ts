// berth's Dockerfile language service: the one facade the server wires to LSP. Content,
// positions and settings in; plain LSP types out. It does no I/O of its own: local images
// come from an injected ImageProvider, .hadolint.yaml arrives already parsed.
import { DockerfileParser } from 'dockerfile-ast';
import {
  DockerfileLanguageServiceFactory,
  type Capabilities,
  type DockerfileLanguageService,
} from 'dockerfile-language-service';
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentHighlight,
  DocumentLink,
  FoldingRange,
  FormattingOptions,
  Hover,
  Location,
  Position,
  Range,
  SemanticTokens,
  SignatureHelp,
  SymbolInformation,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import { computeCodeActions } from './codeActions';
import { computeDiagnostics, type Logger } from './diagnostics';
import { formatDocument, formatDocumentOnType, formatDocumentRange } from './formatting';
import type { HadolintConfig } from './hadolintConfig';
import { imageCompletions, imageSlotAt, NO_IMAGES, type ImageProvider } from './imageCompletion';
import { computeReferences } from './references';
import { allRules } from './rules';
import type { Rule } from './rules/rule';
import type { BerthSettings } from './settings';

export interface LanguageServiceOptions {
  images?: ImageProvider;
  logger?: Logger;
  rules?: readonly Rule[];
}

export class BerthLanguageService {
  private readonly library: DockerfileLanguageService = DockerfileLanguageServiceFactory.createLanguageService();
  private readonly images: ImageProvider;
  private readonly logger?: Logger;
  readonly rules: readonly Rule[];

  constructor(options: LanguageServiceOptions = {}) {
    this.images = options.images ?? NO_IMAGES;
    this.logger = options.logger;
    this.rules = options.rules ?? allRules;
    if (this.logger) this.library.setLogger(this.logger);
  }

  setCapabilities(capabilities: Capabilities): void {
    this.library.setCapabilities(capabilities);
  }

  validate(content: string, settings: BerthSettings, hadolint?: HadolintConfig): Diagnostic[] {
    return computeDiagnostics({ content, settings, rules: this.rules, hadolint, logger: this.logger });
  }

  async completion(content: string, position: Position): Promise<CompletionItem[]> {
    const dockerfile = DockerfileParser.parse(content);
    const lineText = content.split(/\r\n|\r|\n/)[position.line] ?? '';
    const slot = imageSlotAt(dockerfile, lineText, position);
    if (slot) {
      let images: Awaited<ReturnType<ImageProvider['listImages']>> = [];
      try {
        images = await this.images.listImages();
      } catch (e) {
        this.logger?.log(`listing local images for completion failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      return imageCompletions(dockerfile, slot, images);
    }
    return this.library.computeCompletionItems(content, position);
  }

  resolveCompletion(item: CompletionItem): CompletionItem {
    return this.library.resolveCompletionItem(item);
  }

  hover(content: string, position: Position): Hover | null {
    return this.library.computeHover(content, position);
  }

  signatureHelp(content: string, position: Position): SignatureHelp {
    return this.library.computeSignatureHelp(content, position);
  }

  symbols(uri: string, content: string): SymbolInformation[] {
    return this.library.computeSymbols({ uri }, content);
  }

  folding(content: string): FoldingRange[] {
    return this.library.computeFoldingRanges(content);
  }

  highlights(content: string, position: Position): DocumentHighlight[] {
    return this.library.computeHighlightRanges(content, position);
  }

  definition(uri: string, content: string, position: Position): Location | null {
    return this.library.computeDefinition({ uri }, content, position) ?? null;
  }

  references(uri: string, content: string, position: Position, includeDeclaration: boolean): Location[] {
    return computeReferences(this.library, uri, content, position, includeDeclaration);
  }

  prepareRename(content: string, position: Position): Range | null {
    return this.library.prepareRename(content, position);
  }

  rename(uri: string, content: string, position: Position, newName: string): WorkspaceEdit | null {
    const edits = this.library.computeRename({ uri }, content, position, newName);
    return edits.length > 0 ? { changes: { [uri]: edits } } : null;
  }

  links(content: string): DocumentLink[] {
    return this.library.computeLinks(content);
  }

  resolveLink(link: DocumentLink): DocumentLink {
    return this.library.resolveLink(link);
  }

  semanticTokens(content: string): SemanticTokens {
    return this.library.computeSemanticTokens(content);
  }

  format(content: string, options: FormattingOptions, settings: BerthSettings): TextEdit[] {
    return formatDocument(content, options, settings.formatter);
  }

  formatRange(content: string, range: Range, options: FormattingOptions, settings: BerthSettings): TextEdit[] {
    return formatDocumentRange(content, range, options, settings.formatter);
  }

  formatOnType(content: string, position: Position, ch: string, options: FormattingOptions, settings: BerthSettings): TextEdit[] {
    return formatDocumentOnType(content, position, ch, options, settings.formatter);
  }

  codeActions(uri: string, content: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
    return computeCodeActions({
      uri,
      content,
      dockerfile: DockerfileParser.parse(content),
      diagnostics,
      library: this.library,
      rules: this.rules,
      logger: this.logger,
    });
  }
}
