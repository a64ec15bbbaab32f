import { describe, expect, it } from "vitest";
import { transformSource } from "../../transformer/core/index.ts";
import { loadProgram } from "../support/execute-fixture.ts";

/**
 * `clear(fn)` / `stats(fn)` find a transformed function through the
 * `__am_N.bindFunction(name)` statements the emitter places after the handles
 * (declarations) or after the declaring statement (variables).
 */
const source = `
/** @memo */
export function square(x: number) { return x * x; }

/** @memo */
export const cube = (x: number) => x * x * x;

export let uncached = (x: number) => x;
`;

describe("bindFunction", () => {
  it("lets stats(fn) and clear(fn) reach the handles of declarations and const functions", async () => {
    const out = transformSource(source, { filename: "/repo/src/bind-function.ts", root: "/repo" })!;
    const program = (await loadProgram(out.code, "/repo/src/bind-function.ts")) as Record<string, (x: number) => number>;
    const { stats, clear } = await import("../../runtime/index.ts");
    await clear(program.square);
    await clear(program.cube);
    program.square(3);
    program.square(3);
    program.cube(2);
    program.cube(2);
    program.cube(2);
    expect(stats(program.square).hits).toBe(1);
    expect(stats(program.cube).hits).toBe(2);
    expect(() => stats(program.uncached)).toThrow(/\[automemo\]/);
  });
});
