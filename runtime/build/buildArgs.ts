// Build arguments scoped as in moby's builder/dockerfile/buildargs.go (dockerd 20.10):
// - ARGs before the first FROM are "meta" args, visible only to FROM lines;
// - each stage starts with no allowed args; `ARG NAME` allows NAME from its line on, with the
//   --build-arg value if one was given, else its own default, else the meta arg's value;
// - the proxy variables (HTTP_PROXY …) are allowed without an ARG when given with
//   --build-arg, but stay out of RUN's history text unless the Dockerfile declares them.

export const BUILTIN_ARGS: ReadonlySet<string> = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy',
  'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

export class BuildArgs {
  private allowed = new Map<string, string | undefined>();
  private readonly meta = new Map<string, string | undefined>();
  /** Names any stage declared, to report --build-arg values nothing used. */
  readonly referenced = new Set<string>();

  /** `options`: the --build-arg values; a name given without a value (`--build-arg X`) is undefined and ignored. */
  constructor(private readonly options: ReadonlyMap<string, string | undefined>) {}

  /** A copy for a new stage: same options and meta args, nothing allowed yet. */
  forStage(): BuildArgs {
    const copy = new BuildArgs(this.options);
    for (const [k, v] of this.meta) copy.meta.set(k, v);
    return copy;
  }

  addMetaArg(key: string, value: string | undefined): void {
    this.allowed.set(key, value);
    this.referenced.add(key);
    this.meta.set(key, value);
  }

  addArg(key: string, value: string | undefined): void {
    this.allowed.set(key, value);
    this.referenced.add(key);
  }

  /** Every allowed arg that has a value, with --build-arg overriding defaults. */
  allAllowed(): Map<string, string> {
    return this.resolve(this.allowed);
  }

  /** What FROM lines see. */
  allMeta(): Map<string, string> {
    return this.resolve(this.meta);
  }

  /** Allowed args whose name is not set by ENV (ENV wins), as `K=V`, in Go's map order (we sort). */
  filterAllowed(env: readonly string[]): string[] {
    const envKeys = new Set(env.map((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e)));
    const out: string[] = [];
    for (const [key, value] of this.allAllowed()) if (!envKeys.has(key)) out.push(`${key}=${value}`);
    return out.sort();
  }

  /** A builtin proxy arg is left out of history text unless an ARG declared it. */
  isReferencedOrNotBuiltin(key: string): boolean {
    return this.allowed.has(key) || !BUILTIN_ARGS.has(key);
  }

  /** --build-arg names that no ARG in the built stages declared (Docker warns about them). */
  unused(referencedAnywhere: ReadonlySet<string>): string[] {
    return [...this.options.keys()].filter((k) => !referencedAnywhere.has(k) && !BUILTIN_ARGS.has(k)).sort();
  }

  private resolve(source: ReadonlyMap<string, string | undefined>): Map<string, string> {
    const out = new Map<string, string>();
    const keys = new Set([...source.keys(), ...BUILTIN_ARGS]);
    for (const key of keys) {
      const value = this.lookup(key, source);
      if (value !== undefined) out.set(key, value);
    }
    return out;
  }

  private lookup(key: string, source: ReadonlyMap<string, string | undefined>): string | undefined {
    const option = this.options.get(key);
    if (option !== undefined) return option;
    const own = source.get(key);
    if (own !== undefined) return own;
    // Declared without a default (or a builtin never declared): the meta arg's value, if any.
    return this.meta.get(key);
  }
}
