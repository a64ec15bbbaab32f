import { parseSync } from "oxc-parser";
import { describe, expect, it } from "vitest";
import { planModule, transformSource } from "../../transformer/core/index.ts";

/**
 * A tag dropped at every gap between tokens of a module that uses every supported
 * form: planning never crashes (misplacement is a diagnostic), and whenever the
 * placement is accepted the output parses and is a fixed point of the transform.
 */
const MODULE = `import { a } from "a";
export default function (x: number) { return x; }
export function f(y = 1, ...rest: number[]) { return [y, rest]; }
export const g = async <T,>(v: T): Promise<T> => v;
function over(x: string): string;
function over(x: any) { return x; }
export class C extends Object {
  static s(x: number) { return x; }
  #p() { return 1; }
  get q() { return 2; }
  @dec m(z: number) { return () => this.m(z); }
  field = (w: number) => w;
}
const o = { m() { return 1; }, p: function () {}, "k": () => 2, [a]: () => 3 };
exports.e = function () {};
label: for (const i of [1]) { if (i) break label; }
`;

const options = { filename: "/repo/src/m.ts", root: "/repo" };

function gaps(source: string): number[] {
  const offsets: number[] = [];
  for (let index = 1; index < source.length; index++) {
    if (/\s/.test(source[index]) && !/\s/.test(source[index - 1])) offsets.push(index);
  }
  return offsets;
}

describe("a tag at every position", () => {
  it.each([" /** @memo */ ", ' /** @singleton { ttl: 5 } */\n', "\n/**\n * Docs.\n * @memo\n */\n"])("never crashes with %j, and accepted placements transform to parseable, idempotent code", (tag) => {
    let accepted = 0;
    for (const offset of gaps(MODULE)) {
      const source = `${MODULE.slice(0, offset)}${tag}${MODULE.slice(offset)}`;
      if (parseSync("m.ts", source, { lang: "ts" }).errors.length > 0) continue;
      const plan = planModule(source, options);
      for (const diagnostic of plan.diagnostics) expect(diagnostic.message).toMatch(/^\[automemo\] /);
      if (plan.diagnostics.length > 0) continue;
      accepted++;
      const out = transformSource(source, options);
      expect(out, source).not.toBeNull();
      expect(parseSync("m.ts", out!.code, { lang: "ts" }).errors, out!.code).toEqual([]);
      expect(transformSource(out!.code, options), out!.code).toBeNull();
    }
    expect(accepted).toBeGreaterThan(10);
  });
});
