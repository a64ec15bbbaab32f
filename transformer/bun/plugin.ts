/**
 * `automemo/bun`: the automemo transform as a Bun plugin, for `Bun.build({ plugins: [automemo()] })`.
 * For `bun run` and `bun test`, preload `automemo/bun/register` instead (bunfig.toml).
 */
import { automemoUnplugin, type AutomemoPluginOptions } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";

/**
 * The shape of Bun's `BunPlugin`, spelled out so that the declarations need no `bun-types`:
 * a `setup` that accepts any builder is assignable wherever Bun expects its plugin type.
 */
export interface AutomemoBunPlugin {
  readonly name: string;
  setup(build: unknown): void | Promise<void>;
}

export const automemo: (options?: AutomemoPluginOptions) => AutomemoBunPlugin = automemoUnplugin.bun;
export default automemo;
