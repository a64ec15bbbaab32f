import { NodeOnlyFeatureError } from "../errors.ts";

/**
 * Node built-ins reached at first use through `process.getBuiltinModule`, so that
 * nothing in runtime/ imports `node:*` statically and browser bundles stay clean.
 * The `import()` type queries below are erased at compile time.
 */
type Fs = typeof import("node:fs");
type Path = typeof import("node:path");
type Os = typeof import("node:os");
type Crypto = typeof import("node:crypto");
type V8 = typeof import("node:v8");
type Zlib = typeof import("node:zlib");

interface BuiltinLoader {
  getBuiltinModule?(id: string): unknown;
}

function loadBuiltin<T>(id: string, feature: string): T {
  const proc = (globalThis as { process?: BuiltinLoader }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (mod === undefined) throw new NodeOnlyFeatureError({ feature, module: id });
  return mod as T;
}

let fs: Fs | undefined;
let path: Path | undefined;
let os: Os | undefined;
let crypto: Crypto | undefined;
let v8: V8 | undefined;
let zlib: Zlib | undefined;

export const nodeFs = (): Fs => (fs ??= loadBuiltin<Fs>("node:fs", "A persistent cache store"));
export const nodePath = (): Path => (path ??= loadBuiltin<Path>("node:path", "A persistent cache store"));
export const nodeOs = (): Os => (os ??= loadBuiltin<Os>("node:os", "A persistent cache store"));
export const nodeCrypto = (): Crypto => (crypto ??= loadBuiltin<Crypto>("node:crypto", "A persistent cache store"));
export const nodeV8 = (): V8 => (v8 ??= loadBuiltin<V8>("node:v8", "A persistent cache store"));
export const nodeZlib = (): Zlib => (zlib ??= loadBuiltin<Zlib>("node:zlib", "A persistent cache store"));

/** Environment variable, or undefined where there is no `process` (browsers). */
export function readEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[name];
  return value === undefined || value === "" ? undefined : value;
}
