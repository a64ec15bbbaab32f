/**
 * The emitted shape of tagged function declarations (core/sibling-shape.ts): the body stays
 * in a sibling declaration, and a wrapper with the original name and parameters does the
 * lookup. Every host must keep what calling the original does: defaults evaluated once per
 * call, `this`, rest parameters, `async`, `fn.name` and `fn.length`, hoisting, recursion
 * through the cache, default exports; functions that read their own `arguments` or
 * `new.target` keep the in-place `settle(() => { ... })` shape.
 */
import { createRequire } from "node:module";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { transformSource } from "../../transformer/core/index.ts";
import { compileWithBabel7, compileWithTsc, typescript6 } from "../hosts/compile.ts";

const nodeRequire = createRequire(import.meta.url);
const filename = "/project/src/shapes.ts";
const root = "/project";

const source = `
let calls = 0;
let defaults = 0;
const nextDefault = () => ++defaults;

export const hoisted = hoistedLater(3);

/** @memo */
export function withDefault(a: number, b: number = nextDefault()): number[] {
  calls++;
  return [a, b];
}

/** @memo */
export async function later<T>(value: T, times?: number): Promise<T[]> {
  calls++;
  return Array.from({ length: times ?? 1 }, () => value);
}

/** @memo */
export function usesThis(this: { base: number } | undefined, n: number) {
  calls++;
  return (this?.base ?? 0) + n;
}

/** @memo */
export function rest(first: string, ...others: number[]) {
  calls++;
  return first + others.join(",");
}

/** @memo */
export default function (n: number) {
  calls++;
  return n + 1;
}

/** @memo */
export function readsArguments(a?: number) {
  calls++;
  return arguments.length + (a ?? 0);
}

/** @memo */
export function constructed(n: number) {
  calls++;
  return new.target === undefined ? n : -1;
}

/** @memo */
export function factorial(n: number): number {
  calls++;
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** @memo */
function hoistedLater(n: number) {
  calls++;
  return n * 3;
}

export function nested(k: number) {
  /** @memo */
  function inner(m: number) {
    calls++;
    return m * k;
  }
  return [inner(2), inner(2)];
}

export async function run() {
  const results: unknown[] = [];
  results.push(withDefault(1), withDefault(1), defaults, withDefault(1, 9));
  results.push(await later("x", 2), await later("x", 2));
  results.push(usesThis.call({ base: 10 }, 1), rest("a", 1, 2), rest("a", 1, 2));
  results.push(readsArguments(), readsArguments(undefined), constructed(4));
  results.push(factorial(5), factorial(6), hoisted, nested(3), nested(3));
  results.push([withDefault, later, usesThis, rest, readsArguments, factorial].map((fn) => [fn.name, fn.length]));
  return { results, calls };
}
`;

type Module = { run(): Promise<{ results: unknown[]; calls: number }>; default: ((n: number) => number) & { name: string } };

async function evaluate(code: string): Promise<Module> {
  const { outputText } = ts.transpileModule(code, { fileName: "shapes.ts", compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const runtime = await import("../../runtime/index.ts");
  // Each host's module must start with empty caches (the hosts emit the same ids and hashes).
  await runtime.clearAll();
  const module = { exports: {} as Module };
  const run = new Function("require", "module", "exports", outputText) as (require: (specifier: string) => unknown, module: object, exports: object) => void;
  run((specifier) => (specifier === "automemo" ? runtime : nodeRequire(specifier)), module, module.exports);
  return module.exports;
}

const hosts: Record<string, () => string> = {
  text: () => transformSource(source, { filename, root, dependencies: false })!.code,
  babel: () => compileWithBabel7(source, filename, { root, dependencies: false }).code,
  tsc: () => compileWithTsc(typescript6, source, filename, { root, dependencies: false }).js,
};

describe("tagged function declarations keep their body beside a wrapper", () => {
  it.each(Object.keys(hosts))("%s: the same results as the original, with hits", async (host) => {
    const originalModule = await evaluate(source);
    const original = await originalModule.run();
    const code = hosts[host]();
    // The body stays in a sibling declaration; `arguments` and `new.target` keep the in-place shape.
    expect(code).toMatch(/__am\d*_f0\b/);
    expect(code).toMatch(/settle\(\(\) => \{/);
    const transformed = await evaluate(code);
    const { results, calls } = await transformed.run();
    expect(results).toEqual(original.results);
    expect(transformed.default(1)).toBe(2);
    expect(transformed.default.name).toBe(originalModule.default.name);
    // Hits (withDefault(1) twice differs by its default): later 1, rest 1, factorial(6) after factorial(5) 5, inner 3.
    expect(original.calls - calls).toBe(1 + 1 + 5 + 3);
  });
});
