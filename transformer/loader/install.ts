/**
 * Installs the automemo module hooks in the current process (Node 20.6+ `module.register`).
 * Shared by `automemo/register` and `automemo run`.
 */
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { installCommonJsSupport } from "./commonjs.ts";

// The CommonJS build has no import.meta; the hooks always load as ESM from the same folder.
const here = typeof __filename === "string" ? pathToFileURL(__filename).href : import.meta.url;
// From source the hooks sit next to this file; in the published build they are their own entry, dist/register-hooks.js.
const hooksFile = here.endsWith(".ts") ? "./hooks.ts" : "./register-hooks.js";

let installed = false;

/** Idempotent: the hooks are registered once per process, and stack traces use the inline source maps. */
export function installAutomemoHooks(): void {
  if (installed) return;
  installed = true;
  process.setSourceMapsEnabled(true);
  register(hooksFile, here);
  installCommonJsSupport();
}
