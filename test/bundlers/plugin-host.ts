/**
 * Runs the bundler plugin's transform hook the way Rollup does (filter first, then the
 * handler with a plugin context), for the shared fixture runner: misuse reported through
 * `this.error` comes back as a thrown error with the same code and message.
 */
import automemoRollup from "../../transformer/bundlers/rollup.ts";
import type { AutomemoPluginOptions } from "../../transformer/unplugin.ts";

interface TransformHook {
  filter: { code: RegExp };
  handler(this: unknown, code: string, id: string): unknown;
}

const pluginContext = {
  addWatchFile(): void {},
  error(report: { message: string; code?: string }): never {
    throw Object.assign(new Error(report.message), { code: report.code });
  },
};

export async function transformWithBundlerPlugin(code: string, id: string, options: AutomemoPluginOptions): Promise<string | null> {
  const hook = automemoRollup(options).transform as unknown as TransformHook;
  if (!hook.filter.code.test(code)) return null;
  const result = (await hook.handler.call(pluginContext, code, id)) as { code: string } | null;
  return result?.code ?? null;
}
