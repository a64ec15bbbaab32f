const AP: object = Array.prototype, OP: object = Object.prototype;
let acc = 0;
function walk(v: unknown, depth: number): boolean {
  if (typeof v === "number") { acc = (acc + v) | 0; return true; }
  if (typeof v === "string") { acc = (acc + v.length) | 0; return true; }
  if (typeof v !== "object" || v === null) return true;
  if (Array.isArray(v)) { if (Object.getPrototypeOf(v) !== AP) return false; for (let i = 0; i < v.length; i++) if (!walk(v[i], depth + 1)) return false; return true; }
  if (Object.getPrototypeOf(v) !== OP) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) { if (!Object.prototype.hasOwnProperty.call(o, k)) continue; acc = (acc + k.length) | 0; if (!walk(o[k], depth + 1)) return false; }
  return true;
}
export function hashPlainKey(values: unknown[], out: Uint32Array): boolean { for (let i = 0; i < values.length; i++) if (!walk(values[i], 1)) return false; out[0] = acc; return true; }
