/** `automemo/webpack`: the automemo transform as a webpack plugin (see transformer/unplugin.ts for options). */
import { automemoUnplugin } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";
export const automemo = automemoUnplugin.webpack;
export default automemo;
