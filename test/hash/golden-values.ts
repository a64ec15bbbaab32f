/**
 * Values whose digests are pinned in determinism.test.ts. Shared with the child
 * process the test spawns, so both sides hash exactly the same values.
 */
export function goldenValues(): [string, unknown][] {
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  return [
    ["int 1", 1],
    ["negative float", -1.5],
    ["NaN", NaN],
    ["string", "hello, wörld ✓"],
    ["long string", "abcdefghij".repeat(10)],
    ["bigint", -(2n ** 70n)],
    ["symbol", Symbol.for("automemo")],
    ["null and undefined", [null, undefined]],
    ["sparse array", [1, , 3]], // eslint-disable-line no-sparse-arrays
    ["small object", { a: 1, b: [1, 2, 3], c: "x" }],
    ["map", new Map<unknown, unknown>([["k", 1], [2, { v: true }]])],
    ["set", new Set(["a", "b", 3])],
    ["date", new Date(Date.UTC(2024, 1, 29, 12, 0, 0))],
    ["regexp", /ab+c/gi],
    ["url", new URL("https://example.com/path?q=1#frag")],
    ["search params", new URLSearchParams("a=1&b=2")],
    ["bytes", Uint8Array.from({ length: 1001 }, (_, i) => (i * 7) & 255)],
    ["floats", Float64Array.from({ length: 33 }, (_, i) => i / 3)],
    // 40 KB: the bulk path (runtime/hash/bulk.ts), ten blocks, the last one partial.
    ["large floats", Float64Array.from({ length: 5_000 }, (_, i) => i / 3)],
    ["cycle", cyclic],
    ["negative zero", -0],
    ["registered-symbol key", { a: 1, [Symbol.for("k")]: 2 }],
    ["arguments", (function (..._items: unknown[]) {
      return arguments; // eslint-disable-line prefer-rest-params
    })(1, "a")],
    ["buffer", Buffer.from([1, 2, 3])],
    ["null-prototype object", Object.assign(Object.create(null) as object, { a: 1 })],
  ];
}

/** Label -> digest hex for every golden value, computed in this process. */
export async function goldenDigests(): Promise<Record<string, string>> {
  const { digestHex, hashKeyComponents } = await import("../../runtime/hash/index.ts");
  const out: Record<string, string> = {};
  for (const [label, value] of goldenValues()) {
    hashKeyComponents([value], ["value"], "test/golden.ts#fn");
    out[label] = digestHex();
  }
  return out;
}

// Run directly (`npx tsx test/hash/golden-values.ts`) it prints the digests as JSON:
// the determinism test reads them from a child process, and after a deliberate
// algorithm change the output is the new golden table to paste into determinism.test.ts.
if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await goldenDigests(), null, 2));
}
