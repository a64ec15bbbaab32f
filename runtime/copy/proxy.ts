/**
 * Whether a value is a Proxy, where the platform can tell: Node (and Deno and Bun,
 * which provide `node:util`) answer through `util.types.isProxy`, reached lazily so
 * browser bundles import nothing. A browser cannot tell a Proxy from its target at
 * all; there a Proxy result is copied through its traps like the object it presents.
 */
type IsProxy = (value: unknown) => boolean;

let detector: IsProxy | null | undefined;

function loadDetector(): IsProxy | null {
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const util = proc?.getBuiltinModule?.("node:util") as { types?: { isProxy?: IsProxy } } | undefined;
  return util?.types?.isProxy ?? null;
}

export function isKnownProxy(value: object): boolean {
  if (detector === undefined) detector = loadDetector();
  return detector !== null && detector(value);
}
