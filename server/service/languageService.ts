// berth's Dockerfile language service: the one facade the server wires to LSP. Content,
// positions and settings in; plain LSP types out. It does no I/O of its own: local images
// come from an injected ImageProvider, .hadolint.yaml arrives already parsed.
import './astMemo';
import { DockerfileParser } from 'dockerfile-ast';
import {
  DockerfileLanguageServiceFactory,
  type Capabilities,
  type DockerfileLanguageService,
} from 'dockerfile-language-service';
import {
  DiagnosticSeverity,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type DocumentHighlight,
  type DocumentLink,
  type FoldingRange,
  type FormattingOptions,
  type Hover,
  type Location,
  type Position,
  type Range,
  type SemanticTokens,
  type SignatureHelp,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-types';
import { computeCodeActions } from './codeActions';
import { BERTH_SOURCE, computeDiagnostics, type Logger } from './diagnostics';
import { formatDocument, formatDocumentOnType, formatDocumentRange } from './formatting';
import type { HadolintConfig } from './hadolintConfig';
import { imageCompletions, imageSlotAt, NO_IMAGES, type ImageProvider } from './imageCompletion';
import { computeReferences } from './references';
import { allRules } from './rules';
import type { Rule } from './rules/rule';
import type { BerthSettings } from './settings';

/**
 * Documents longer than this (in UTF-16 code units) are not analysed. Real Dockerfiles are a few
 * kilobytes; the libraries' analysis grows faster than linearly with the number of stages, so a
 * multi-megabyte file would stall the server for minutes. Such a file gets one diagnostic saying
 * so, and the other features answer with nothing.
 */
export const MAX_DOCUMENT_SIZE = 512 * 1024;

function tooLarge(content: string): boolean {
  return content.length > MAX_DOCUMENT_SIZE;
}

export function tooLargeDiagnostic(content: string): Diagnostic {
  const size = (content.length / (1024 * 1024)).toFixed(1);
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: BERTH_SOURCE,
    code: 'too-large',
    message: `This file is ${size} MB; berth analyses Dockerfiles up to ${MAX_DOCUMENT_SIZE / 1024} KB, so it is not checked. A Dockerfile this large is usually generated: check the file it is generated from.`,
  };
}

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

  /**
   * Runs one feature. The libraries can throw on hostile input (deep recursion on binary
   * garbage, for one); that costs the user this one answer, never the server.
   */
  private safe<T>(feature: string, fallback: T, compute: () => T): T {
    try {
      return compute();
    } catch (e) {
      this.logger?.log(`${feature} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  }

  setCapabilities(capabilities: Capabilities): void {
    this.library.setCapabilities(capabilities);
  }

  validate(content: string, settings: BerthSettings, hadolint?: HadolintConfig): Diagnostic[] {
    if (tooLarge(content)) return [tooLargeDiagnostic(content)];
    return this.safe('validation', [], () => computeDiagnostics({ content, settings, rules: this.rules, hadolint, logger: this.logger }));
  }

  async completion(content: string, position: Position): Promise<CompletionItem[]> {
    if (tooLarge(content)) return [];
    const dockerfile = this.safe('parse', undefined, () => DockerfileParser.parse(content));
    if (!dockerfile) return [];
    const lineText = content.split(/\r\n|\r|\n/)[position.line] ?? '';
    const slot = this.safe('image completion', undefined, () => imageSlotAt(dockerfile, lineText, position));
    if (slot) {
      let images: Awaited<ReturnType<ImageProvider['listImages']>> = [];
      try {
        images = await this.images.listImages();
      } catch (e) {
        this.logger?.log(`listing local images for completion failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      return imageCompletions(dockerfile, slot, images);
    }
    try {
      return await this.library.computeCompletionItems(content, position);
    } catch (e) {
      this.logger?.log(`completion failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return [];
    }
  }

  resolveCompletion(item: CompletionItem): CompletionItem {
    return this.safe('completion resolve', item, () => this.library.resolveCompletionItem(item));
  }

  hover(content: string, position: Position): Hover | null {
    return tooLarge(content) ? null : this.safe('hover', null, () => this.library.computeHover(content, position));
  }

  signatureHelp(content: string, position: Position): SignatureHelp {
    return tooLarge(content) ? { signatures: [] } : this.safe('signature help', { signatures: [] }, () => this.library.computeSignatureHelp(content, position));
  }

  symbols(uri: string, content: string): SymbolInformation[] {
    return tooLarge(content) ? [] : this.safe('symbols', [], () => this.library.computeSymbols({ uri }, content));
  }

  folding(content: string): FoldingRange[] {
    return tooLarge(content) ? [] : this.safe('folding', [], () => this.library.computeFoldingRanges(content));
  }

  highlights(content: string, position: Position): DocumentHighlight[] {
    return tooLarge(content) ? [] : this.safe('highlights', [], () => this.library.computeHighlightRanges(content, position));
  }

  definition(uri: string, content: string, position: Position): Location | null {
    return tooLarge(content) ? null : this.safe('definition', null, () => this.library.computeDefinition({ uri }, content, position) ?? null);
  }

  references(uri: string, content: string, position: Position, includeDeclaration: boolean): Location[] {
    return tooLarge(content) ? [] : this.safe('references', [], () => computeReferences(this.library, uri, content, position, includeDeclaration));
  }

  prepareRename(content: string, position: Position): Range | null {
    return tooLarge(content) ? null : this.safe('prepare rename', null, () => this.library.prepareRename(content, position));
  }

  rename(uri: string, content: string, position: Position, newName: string): WorkspaceEdit | null {
    if (tooLarge(content)) return null;
    const edits = this.safe('rename', [], () => this.library.computeRename({ uri }, content, position, newName));
    return edits.length > 0 ? { changes: { [uri]: edits } } : null;
  }

  links(content: string): DocumentLink[] {
    return tooLarge(content) ? [] : this.safe('links', [], () => this.library.computeLinks(content));
  }

  resolveLink(link: DocumentLink): DocumentLink {
    return this.safe('link resolve', link, () => this.library.resolveLink(link));
  }

  semanticTokens(content: string): SemanticTokens {
    return tooLarge(content) ? { data: [] } : this.safe('semantic tokens', { data: [] }, () => this.library.computeSemanticTokens(content));
  }

  format(content: string, options: FormattingOptions, settings: BerthSettings): TextEdit[] {
    return tooLarge(content) ? [] : this.safe('formatting', [], () => formatDocument(content, options, settings.formatter));
  }

  formatRange(content: string, range: Range, options: FormattingOptions, settings: BerthSettings): TextEdit[] {
    return tooLarge(content) ? [] : this.safe('range formatting', [], () => formatDocumentRange(content, range, options, settings.formatter));
  }

  formatOnType(content: string, position: Position, ch: string, options: FormattingOptions, settings: BerthSettings): TextEdit[] {
    return tooLarge(content) ? [] : this.safe('on-type formatting', [], () => formatDocumentOnType(content, position, ch, options, settings.formatter));
  }

  codeActions(uri: string, content: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
    if (tooLarge(content)) return [];
    return this.safe('code actions', [], () =>
      computeCodeActions({
        uri,
        content,
        dockerfile: DockerfileParser.parse(content),
        diagnostics,
        library: this.library,
        rules: this.rules,
        logger: this.logger,
      }),
    );
  }
}
