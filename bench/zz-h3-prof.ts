import { hashKeyComponents } from "../runtime/hash/index.ts";
const inputs = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
const NAMES = ["value"];
const t0 = process.cpuUsage();
let n = 0;
for (let r = 0; r < 20; r++) for (let i = 0; i < 100000; i++) { hashKeyComponents(inputs[i & 1023], NAMES, "b#s"); n++; }
const t = process.cpuUsage(t0);
console.log(((t.user + t.system) * 1000 / n).toFixed(0), "ns");
