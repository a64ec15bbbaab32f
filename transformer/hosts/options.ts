import { InvalidOptionError } from "../../runtime/errors.ts";

/**
 * Options shared by the compile-time hosts (`automemo/babel` plugin options, the
 * `automemo/typescript` tsconfig plugin entry, and `automemoTransformer()`).
 *
 * @example
 * ```json
 * { "plugins": [["automemo/babel", { "runtimeModule": "automemo", "root": "." }]] }
 * ```
 */
export interface HostOptions {
  /** Function ids are the posix path of the file relative to this folder. Default: the host's project root. */
  readonly root?: string;
  /** Module specifier the emitted code imports the runtime from. Default `automemo`. */
  readonly runtimeModule?: string;
}

const KNOWN_OPTIONS: Readonly<Record<keyof HostOptions, string>> = {
  root: "a folder path",
  runtimeModule: "a module specifier such as \"automemo\"",
};

/**
 * Validates host options once, when the host creates the plugin: unknown keys and
 * wrong types fail the build with an error naming the key, `where` it was set and the fix.
 * `hostKeys` are keys the host itself owns (ts-patch's `transform`, `after`, ...) and skips.
 */
export function parseHostOptions(raw: unknown, where: string, hostKeys: readonly string[] = []): HostOptions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new InvalidOptionError({
      option: "(options)",
      where,
      problem: `expected an object, got ${Array.isArray(raw) ? "an array" : typeof raw}`,
      fix: `Pass an object such as { "runtimeModule": "automemo" }, or no options.`,
    });
  }
  const parsed: { root?: string; runtimeModule?: string } = {};
  for (const [key, value] of Object.entries(raw)) {
    if (hostKeys.includes(key)) continue;
    if (!(key in KNOWN_OPTIONS)) {
      throw new InvalidOptionError({
        option: key,
        where,
        problem: "unknown option",
        fix: `Known options: ${Object.keys(KNOWN_OPTIONS).join(", ")}. Remove '${key}' or fix its spelling.`,
      });
    }
    const name = key as keyof HostOptions;
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") {
      throw new InvalidOptionError({
        option: key,
        where,
        problem: `expected a non-empty string, got ${JSON.stringify(value)}`,
        fix: `Set '${key}' to ${KNOWN_OPTIONS[name]}.`,
      });
    }
    parsed[name] = value;
  }
  return parsed;
}
