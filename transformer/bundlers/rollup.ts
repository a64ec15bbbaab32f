/** `automemo/rollup`: the automemo transform as a Rollup plugin (see transformer/unplugin.ts for options). */
import { automemoUnplugin } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";
export const automemo = automemoUnplugin.rollup;
export default automemo;
