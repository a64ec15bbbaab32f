/**
 * Installs the automemo module hooks in the current process. Shared by
 * `automemo/register` and `automemo run`. Node 22.15+ / 23.5+ get in-thread hooks
 * (`module.registerHooks`, sync-hooks.ts); older Node the hooks-thread ones
 * (`module.register`, hooks.ts); both with the CommonJS patches of commonjs.ts.
 */
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { installCommonJsSupport } from "./commonjs.ts";
import type { HooksData } from "./hooks.ts";
import type { ProjectFilesListener } from "./project-modules.ts";
import { registerSyncHooks, syncHooksRegistrar } from "./sync-hooks.ts";

// The CommonJS build has no import.meta; the hooks always load as ESM from the same folder.
const here = typeof __filename === "string" ? pathToFileURL(__filename).href : import.meta.url;
// From source the hooks sit next to this file; in the published build they are their own entry, dist/register-hooks.js.
const hooksFile = here.endsWith(".ts") ? "./hooks.ts" : "./register-hooks.js";

let installed = false;

export interface InstallOptions {
  /** Called with each project file loaded and the files its code hashes cover (`automemo run --watch` watches them). */
  readonly onProjectFiles?: ProjectFilesListener;
}

/** Registers `hooks.ts` on Node's hooks thread, with a port to report project files through. */
function registerThreadHooks(onProjectFiles: ProjectFilesListener | undefined): void {
  if (!onProjectFiles) {
    register(hooksFile, here);
    return;
  }
  // The port never keeps the process alive.
  const { port1, port2 } = new MessageChannel();
  port1.on("message", onProjectFiles);
  port1.unref();
  const data: HooksData = { projectFiles: port2 };
  register(hooksFile, here, { data, transferList: [port2] });
}

/** Idempotent: the hooks are registered once per process, and stack traces use the inline source maps. */
export function installAutomemoHooks({ onProjectFiles }: InstallOptions = {}): void {
  if (installed) return;
  installed = true;
  process.setSourceMapsEnabled(true);
  const registerHooks = syncHooksRegistrar();
  if (registerHooks) registerSyncHooks(registerHooks, onProjectFiles);
  else registerThreadHooks(onProjectFiles);
  // Node 22's ES module loader still resolves require() inside CommonJS it loads (from source
  // a hook returned) with the CommonJS resolver, past the in-thread hooks; Node 24 does not.
  installCommonJsSupport(onProjectFiles);
}
