/** `automemo/esbuild`: the automemo transform as an esbuild plugin (see transformer/unplugin.ts for options). */
import { automemoUnplugin } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";
export const automemo = automemoUnplugin.esbuild;
export default automemo;
