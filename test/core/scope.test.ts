import { describe, expect, it } from "vitest";
import { planModule } from "../../transformer/core/index.ts";

/** The key of the single annotated function in `source`. */
function keyOf(source: string): readonly string[] {
  const plan = planModule(source, { filename: "/p/a.ts", root: "/p" });
  expect(plan.diagnostics).toEqual([]);
  expect(plan.functions).toHaveLength(1);
  return plan.functions[0].meta.key;
}

describe("closure captures in the key", () => {
  it("adds variables of the enclosing function, sorted, after the parameters", () => {
    const source = `function outer(zeta: number, alpha: number) {
      const mid = 1;
      /** @memo */
      const f = (x: number) => x + zeta + alpha + mid;
      return f;
    }`;
    expect(keyOf(source)).toEqual(["x", "alpha", "mid", "zeta"]);
  });

  it("leaves out module-level bindings, imports, globals and the function's own locals", () => {
    const source = `import { helper } from "./h";
    const LIMIT = 3;
    function outer() {
      /** @memo */
      function f(x: number) {
        const local = x * 2;
        return helper(local, LIMIT, Math.PI, globalThis);
      }
      return f;
    }`;
    expect(keyOf(source)).toEqual(["x"]);
  });

  it("leaves out names starting with _ and the function's own binding (recursion)", () => {
    const source = `function outer(_pool: unknown, depth: number) {
      /** @memo */
      const walk = (n: number): number => (n <= 0 ? depth : walk(n - 1) + (_pool ? 1 : 0));
      return walk;
    }`;
    expect(keyOf(source)).toEqual(["n", "depth"]);
  });

  it("sees captures in nested functions and default values, not in type positions", () => {
    const source = `function outer<T>(seed: number, fallback: string, Model: new () => T) {
      type Local = typeof seed;
      /** @memo */
      function f(x: Local = seed as Local) {
        return [1, 2].map((y) => y + x + fallback.length);
      }
      return f;
    }`;
    expect(keyOf(source)).toEqual(["x", "fallback", "seed"]);
  });

  it("resolves shadowing to the nearest declaration", () => {
    const source = `function outer(value: number) {
      /** @memo */
      function f(value: number) {
        { const other = 1; return value + other; }
      }
      return f;
    }`;
    expect(keyOf(source)).toEqual(["value"]);
  });

  it("captures catch parameters, loop variables, inner function declarations and hoisted var", () => {
    const source = `function outer(items: string[]) {
      for (const item of items) {
        try { use(); } catch (error) {
          /** @memo */
          const f = (n: number) => [item, error, n, helper(), later];
          return f;
        }
      }
      function helper() { return 1; }
      var later = 2;
    }`;
    expect(keyOf(source)).toEqual(["n", "error", "helper", "item", "later"]);
  });

  it("captures `this` and `arguments` of the enclosing function for arrows, not for functions", () => {
    const arrow = `class A {
      m(a: number) {
        /** @memo */
        const f = (x: number) => this.k + arguments.length + x;
        return f;
      }
    }`;
    expect(keyOf(arrow)).toEqual(["this", "x", "arguments"]);
    const plain = `function outer() {
      /** @memo */
      function f(x: number) { return this + arguments.length + x; }
      return f;
    }`;
    // Its own `arguments` is not captured, but its count is keyed: f(1) and f(1, undefined) differ there.
    expect(keyOf(plain)).toEqual(["x", "arguments.length"]);
    const throughArrow = `function outer() {
      /** @memo */
      function f(x: number) { return [1].map(() => arguments.length + x); }
      return f;
    }`;
    expect(keyOf(throughArrow)).toEqual(["x", "arguments.length"]);
    const innerFunction = `/** @memo */
    function f(x: number) { return function () { return arguments.length; }; }`;
    expect(keyOf(innerFunction)).toEqual(["x"]);
  });

  it("does not capture the enclosing class when a method names it", () => {
    const source = `function make() {
      class Repo {
        /** @singleton */
        static create(url: string) { return new Repo(); }
      }
      return Repo;
    }`;
    expect(keyOf(source)).toEqual(["url"]);
  });

  it("keys instance methods by this first, static methods and object methods not at all", () => {
    expect(keyOf("class A { /** @memo */ m(a: number, _b: number) { return a; } }")).toEqual(["this", "a"]);
    expect(keyOf("class A { /** @memo */ static m(a: number) { return a; } }")).toEqual(["a"]);
    expect(keyOf("const o = { /** @memo */ m(a: number) { return this; } };")).toEqual(["a"]);
  });

  it("lists destructured and rest parameters by bound name", () => {
    expect(keyOf("/** @memo */ function f({ a, b: [c, _d] }: any, ...rest: number[]) { return a; }")).toEqual(["a", "c", "rest"]);
  });
});
