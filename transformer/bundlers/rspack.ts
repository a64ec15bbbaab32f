/** `automemo/rspack`: the automemo transform as an Rspack plugin (see transformer/unplugin.ts for options). */
import { automemoUnplugin } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";
export const automemo = automemoUnplugin.rspack;
export default automemo;
