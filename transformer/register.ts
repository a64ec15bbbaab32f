/**
 * `node --import automemo/register script.ts`: runs TypeScript and JavaScript with the
 * automemo transform applied on the fly (Node 20.6+ module hooks).
 *
 * - Files outside `node_modules` with `@memo` / `@singleton` tags are transformed.
 * - `.ts/.mts/.cts/.tsx` are type-stripped with the project's `typescript`, or `esbuild`
 *   when the project has no `typescript`.
 * - `./util.js` and `./util` find `./util.ts`, the way TypeScript resolves them, for
 *   `import` and for `require`.
 * - ES modules and CommonJS are both covered: `.ts` follows the nearest package.json `type`
 *   (`.mts`/`.cts` are fixed); a `.ts` file reached by a plain `require()` is compiled as
 *   CommonJS. Not covered: tagged `.js` files that Node's own CommonJS loader reads
 *   (through `require` from a module Node loaded itself) stay untransformed.
 * - Stack traces point into the original files (inline source maps; source maps are
 *   enabled for the process).
 *
 * @example
 * ```sh
 * node --import automemo/register src/report.ts
 * ```
 */
import { installAutomemoHooks } from "./loader/install.ts";

installAutomemoHooks();

export { installAutomemoHooks };
