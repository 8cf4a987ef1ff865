// Types for scripts/packageExtension.mjs.
export declare function packageExtension(options?: { out?: string; build?: boolean; quiet?: boolean }): string;
