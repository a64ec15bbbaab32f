/** `automemo/vite`: the automemo transform as a Vite plugin (see transformer/unplugin.ts for options). */
import { automemoUnplugin } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";
export const automemo = automemoUnplugin.vite;
export default automemo;
