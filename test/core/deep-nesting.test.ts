/**
 * Deeply nested code: wherever a host compiles a module without automemo, it
 * compiles it with automemo too. Our own walks over the tree are iterative or bounded
 * well above what Babel and TypeScript handle (the text host takes 1,000 levels).
 */
import { describe, expect, it } from "vitest";
import { transformSource } from "../../transformer/core/index.ts";
import { compileWithBabel7, compileWithTsc, typescript6 } from "../hosts/compile.ts";

/** `depth` function declarations, each inside the previous one; `tagged` levels carry `@memo`. */
function nestedFunctions(depth: number, tagged: (level: number) => boolean): string {
  let open = "";
  let close = "";
  for (let level = 0; level < depth; level++) {
    open += `${tagged(level) ? "/** @memo */\n" : ""}function f${level}(x${level}: number) {\n`;
    close = `  return x${level};\n}\n${close}`;
  }
  return `${open}${close}export const run = () => f0(1);\n`;
}

const filename = "/project/src/deep.ts";
const root = "/project";

const hosts = {
  babel: (code: string, withAutomemo: boolean) => compileWithBabel7(code, filename, { root, dependencies: false }, { withoutAutomemo: !withAutomemo }).code,
  tsc: (code: string, withAutomemo: boolean) => compileWithTsc(typescript6, code, filename, { root, dependencies: false }, { withoutAutomemo: !withAutomemo }).js,
  text: (code: string, withAutomemo: boolean) => (withAutomemo ? transformSource(code, { filename, root, dependencies: false })?.code : code),
};

function compiles(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (error) {
    if (error instanceof RangeError || /call stack/.test(String(error))) return false;
    throw error;
  }
}

describe("deep nesting", () => {
  it.each([
    ["300 levels, the outermost tagged", 300, (level: number) => level === 0],
    ["300 levels, the innermost tagged", 300, (level: number) => level === 299],
    ["300 levels, every tenth tagged", 300, (level: number) => level % 10 === 0],
  ])("%s: every host that compiles it without automemo compiles it with automemo", (_label, depth, tagged) => {
    const code = nestedFunctions(depth, tagged);
    for (const [host, compile] of Object.entries(hosts)) {
      if (!compiles(() => compile(code, false))) continue;
      expect(compiles(() => compile(code, true)), `${host} overflowed only with automemo`).toBe(true);
    }
  });

  it("the text host (bundlers, Node loader) transforms 1,000 levels", () => {
    const code = nestedFunctions(1000, (level) => level === 0 || level === 999);
    const output = hosts.text(code, true);
    expect(output).toContain("__am_1.settle(");
  });
});
