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
  /**
   * Whether a function's code hash also covers the helpers, constants and classes it
   * reads (in its file and in imported project files) and the versions of imported
   * packages. Default `true`; `false` hashes only the function's own code.
   */
  readonly dependencies?: boolean;
  /**
   * Folder (relative to `root`) where dependency tracking saves per-file summaries
   * so later builds skip re-reading unchanged files' code, or `false` for none.
   * Default: `node_modules/.cache/automemo` when the root has `node_modules`.
   */
  readonly dependencyCache?: string | false;
}

interface OptionCheck {
  readonly accepts: (value: unknown) => boolean;
  readonly expected: string;
  readonly fix: string;
}

const isNonEmptyString = (value: unknown) => typeof value === "string" && value !== "";

const KNOWN_OPTIONS: Readonly<Record<keyof HostOptions, OptionCheck>> = {
  root: { accepts: isNonEmptyString, expected: "a non-empty string", fix: "a folder path" },
  runtimeModule: { accepts: isNonEmptyString, expected: "a non-empty string", fix: 'a module specifier such as "automemo"' },
  dependencies: { accepts: (value) => typeof value === "boolean", expected: "a boolean", fix: "true or false" },
  dependencyCache: { accepts: (value) => value === false || isNonEmptyString(value), expected: "a folder path or false", fix: 'a folder such as "node_modules/.cache/automemo", or false' },
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
  const parsed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (hostKeys.includes(key)) continue;
    const check = KNOWN_OPTIONS[key as keyof HostOptions] as OptionCheck | undefined;
    if (!check) {
      throw new InvalidOptionError({
        option: key,
        where,
        problem: "unknown option",
        fix: `Known options: ${Object.keys(KNOWN_OPTIONS).join(", ")}. Remove '${key}' or fix its spelling.`,
      });
    }
    if (value === undefined) continue;
    if (!check.accepts(value)) {
      throw new InvalidOptionError({
        option: key,
        where,
        problem: `expected ${check.expected}, got ${JSON.stringify(value)}`,
        fix: `Set '${key}' to ${check.fix}.`,
      });
    }
    parsed[key] = value;
  }
  return parsed as HostOptions;
}
