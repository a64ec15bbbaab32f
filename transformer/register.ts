/**
 * `node --import automemo/register script.ts`: runs TypeScript and JavaScript with the
 * automemo transform applied on the fly (Node 20.6+ module hooks).
 *
 * - Files outside `node_modules` with `@memo` / `@singleton` tags are transformed.
 * - `.ts/.mts/.cts/.tsx` are type-stripped with the project's `typescript`, or `esbuild`
 *   when the project has no `typescript`.
 * - `./util.js` and `./util` find `./util.ts`, the way TypeScript resolves them.
 * - ESM and CommonJS modules reached through `import` are covered; a `.ts` file loaded by a
 *   plain `require()` from a module Node loaded itself is not (Node 20 has no synchronous
 *   require hooks).
 *
 * @example
 * ```sh
 * node --import automemo/register src/report.ts
 * ```
 */
import { installAutomemoHooks } from "./loader/install.ts";

installAutomemoHooks();

export { installAutomemoHooks };
