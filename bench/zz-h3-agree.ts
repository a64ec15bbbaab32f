import { digestHex, hashKeyComponents, hashKeyComponentsByWalk } from "../runtime/hash/index.ts";
import { goldenValues } from "../test/hash/golden-values.ts";
let bad = 0;
const extra: unknown[] = [{ a: 1, b: [1, 2, 3], c: "x" }, [[1, [2, { x: [] }]], { "": "", long: "y".repeat(40), f: 1.5, big: 2 ** 40, neg: -5, n: NaN, z: -0 }], [1, , 3], Object.create(null), { u: undefined, t: true, f: false, n: null }];
for (const v of [...goldenValues().map((x) => x[1]), ...extra]) {
  hashKeyComponents([v, "s"], ["v", "s"], "x"); const f = digestHex();
  hashKeyComponentsByWalk([v, "s"], ["v", "s"], "x"); const g = digestHex();
  if (f !== g) { bad++; console.log("DISAGREE", v, f, g); }
}
console.log("disagreements:", bad);
