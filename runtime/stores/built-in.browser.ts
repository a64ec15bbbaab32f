/**
 * The browser build's stand-in for built-in.ts (swapped in by tsup.config.ts): the
 * "disk" and "redis" stores only run under Node, so the browser build leaves them out
 * and explains so when one is asked for. Stores registered with `configure({ stores })`
 * (an IndexedDB store, say) are found before this is reached and work as usual.
 */
import { NodeOnlyFeatureError } from "../errors.ts";

/**
 * No store for other names; for "disk" and "redis" a NodeOnlyFeatureError naming the
 * Node module the store is built on. Typed as built-in.ts's function (a type query,
 * erased) so the two cannot drift apart.
 */
export const createBuiltInStore: typeof import("./built-in.ts").createBuiltInStore = (name) => {
  const module = name === "disk" ? "node:fs" : name === "redis" ? "node:net" : undefined;
  if (module === undefined) return undefined;
  throw new NodeOnlyFeatureError({
    feature:
      `persist: "${name}" is not available in the browser build of automemo (a browser bundler resolved ` +
      `the package's "browser" export condition; register a store of your own under "${name}" with ` +
      `configure({ stores }) to use that name here). The ${name} store`,
    module,
  });
};
