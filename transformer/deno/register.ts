/**
 * `automemo/deno/register`: the automemo transform for `deno run` and `deno test`, through
 * Node's in-thread module hooks (`module.registerHooks`), which Deno 2.9+ implements. Deno
 * strips types itself, so the hook only rewrites tagged functions and hands TypeScript on.
 *
 * @example
 * ```sh
 * deno run -A --preload npm:automemo/deno/register src/report.ts
 * ```
 */
import * as nodeModule from "node:module";
import { fileURLToPath } from "node:url";
import { AutomemoError } from "../../runtime/errors.ts";
import { mightContainTags, transformSource } from "../core/index.ts";

const PROJECT_SCRIPT = /^file:(?!.*\/node_modules\/).*\.[cm]?[jt]sx?$/;

interface LoadResult {
  source?: string | ArrayBuffer | ArrayBufferView;
  format?: string;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => LoadResult;
type RegisterHooks = (hooks: { load(url: string, context: unknown, nextLoad: NextLoad): LoadResult }) => unknown;

if (!("Deno" in globalThis)) {
  throw new AutomemoError(
    "DENO_ONLY_ENTRY",
    "automemo/deno/register is a Deno preload; under Node use `node --import automemo/register` (docs/node.md), under Bun preload automemo/bun/register (docs/bun.md).",
  );
}
const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;
if (typeof registerHooks !== "function") {
  throw new AutomemoError(
    "IN_THREAD_HOOKS_MISSING",
    "automemo/deno/register needs `module.registerHooks` (Deno 2.9+, Node 22.15+). Upgrade Deno, or bundle with automemo/esbuild or automemo/vite (see docs/deno.md).",
  );
}

function sourceText(source: LoadResult["source"]): string | undefined {
  if (typeof source === "string") return source;
  if (source === undefined) return undefined;
  return new TextDecoder().decode(source as ArrayBuffer);
}

registerHooks({
  load(url, context, nextLoad) {
    const loaded = nextLoad(url, context);
    if (!PROJECT_SCRIPT.test(url)) return loaded;
    const source = sourceText(loaded.source);
    if (source === undefined || !mightContainTags(source)) return loaded;
    const filename = fileURLToPath(url);
    const result = transformSource(source, { filename, root: process.cwd(), sourceMap: true });
    if (!result) return loaded;
    const map = btoa(JSON.stringify(result.map));
    return { ...loaded, source: `${result.code}\n//# sourceMappingURL=data:application/json;base64,${map}\n` };
  },
});
