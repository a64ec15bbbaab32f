/**
 * Types for the two oxc-parser subpaths `parse.ts` uses (listed in oxc-parser's
 * `exports`, shipped without declarations). Only what the core reads is declared.
 */
declare module "oxc-parser/src-js/bindings" {
  import type { Comment, OxcError, ParserOptions } from "oxc-parser";

  /** The native result: each getter moves its field out of Rust memory once. */
  interface NativeParseResult {
    /** The AST as oxc's JSON (`{ node, fixes }`), decoded by `jsonParseAst`. */
    readonly program: string;
    readonly module: { readonly hasModuleSyntax: boolean };
    readonly comments: Comment[];
    readonly errors: OxcError[];
  }

  export function parseSync(filename: string, sourceText: string, options?: ParserOptions | null): NativeParseResult;
}

declare module "oxc-parser/src-js/wrap" {
  /** Decodes the native JSON AST and restores BigInt / RegExp literal values, as `parseSync` does. */
  export function jsonParseAst(programJson: string): unknown;
}
