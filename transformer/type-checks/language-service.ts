/**
 * `automemo/typescript/language-service`: a TypeScript language-service plugin, so editors
 * running tsserver on TypeScript 5.x / 6.0 show automemo's tag problems and type-aware
 * checks as you type. tsserver `require()`s the plugin and calls the module itself with
 * `{ typescript }`; the CommonJS build exports this function as the module.
 *
 * It is an entry of its own, not `automemo/typescript`: tsserver resolves plugin names
 * with TypeScript's node10 rules, which follow `typesVersions` to the `.d.ts` file of
 * `automemo/typescript`, and ts-patch would call a module that is a function as its
 * transformer.
 *
 * @example
 * ```json
 * { "compilerOptions": { "plugins": [{ "name": "automemo/typescript/language-service", "hashable": ["Decimal"] }] } }
 * ```
 */
import path from "node:path";
import type * as TS from "typescript";
import { parseHashable, typeCheckSourceFile } from "./index.ts";

/** The parts of tsserver's `PluginCreateInfo` the plugin uses. */
interface LanguageServicePluginInfo {
  readonly languageService: TS.LanguageService;
  /** The plugin's entry of `compilerOptions.plugins`. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly project?: { readonly projectService?: { readonly logger?: { info(message: string): void } } };
}

export interface LanguageServicePlugin {
  create(info: LanguageServicePluginInfo): TS.LanguageService;
}

export default function automemoLanguageServicePlugin(modules: { readonly typescript: typeof TS }): LanguageServicePlugin {
  const ts = modules.typescript;
  return {
    create(info) {
      const log = (message: string) => info.project?.projectService?.logger?.info(`[automemo] ${message}`);
      let hashable: readonly string[] = [];
      try {
        hashable = parseHashable(info.config?.hashable, "the automemo/typescript/language-service entry of compilerOptions.plugins");
      } catch (error) {
        log((error as Error).message);
      }
      const inner = info.languageService;
      const proxy = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(inner) as (keyof TS.LanguageService)[]) {
        const member = inner[key];
        proxy[key] = typeof member === "function" ? (member as (...args: unknown[]) => unknown).bind(inner) : member;
      }
      proxy.getSemanticDiagnostics = (fileName: string): TS.Diagnostic[] => {
        const diagnostics = inner.getSemanticDiagnostics(fileName);
        try {
          const program = inner.getProgram();
          const sourceFile = program?.getSourceFile(fileName);
          if (!program || !sourceFile) return diagnostics;
          return [...diagnostics, ...typeCheckSourceFile(ts, program, sourceFile, { root: projectRoot(program), hashable })];
        } catch (error) {
          // An editor must keep working whatever automemo finds: log, and show TypeScript's own diagnostics.
          log(`type checks of ${fileName} failed: ${(error as Error).stack ?? String(error)}`);
          return diagnostics;
        }
      };
      return proxy as unknown as TS.LanguageService;
    },
  };
}

/** Function ids are relative to the tsconfig folder, as in the ts-patch host. */
function projectRoot(program: TS.Program): string {
  const configFile = program.getCompilerOptions().configFilePath;
  return typeof configFile === "string" ? path.dirname(configFile) : program.getCurrentDirectory();
}
