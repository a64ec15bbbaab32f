import { hashPlainKey } from "../runtime/hash/plain.ts";
const inputs = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
const out = new Uint32Array(4);
for (let r = 0; r < 30; r++) for (let i = 0; i < 100000; i++) hashPlainKey(inputs[i & 1023], out);
