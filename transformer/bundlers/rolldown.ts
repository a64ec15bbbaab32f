/** `automemo/rolldown`: the automemo transform as a Rolldown plugin, for Rolldown and tsdown (see transformer/unplugin.ts for options). */
import { automemoUnplugin } from "../unplugin.ts";

export type { AutomemoPluginOptions } from "../unplugin.ts";
export const automemo = automemoUnplugin.rolldown;
export default automemo;
