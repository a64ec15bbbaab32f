let A = 0, B = 0, C = 0, D = 0;
function w(x: number): void {
  let a = Math.imul(A ^ x, -1640531535), b = Math.imul(B ^ x, -2048144777), c = Math.imul(C ^ x, -1028477379), d = Math.imul(D ^ x, 0x27d4eb2f);
  A = (a << 15) | (a >>> 17); B = (b << 13) | (b >>> 19); C = (c << 17) | (c >>> 15); D = (d << 11) | (d >>> 21);
}
function av(h: number): number { h ^= h >>> 16; h = Math.imul(h, -2048144789); h ^= h >>> 13; h = Math.imul(h, -1028477387); return h ^ (h >>> 16); }
function str(tag: number, s: string): boolean {
  const n = s.length; if (n >= 24) return false;
  w((n << 8) | tag);
  const e = n & ~1; for (let i = 0; i < e; i += 2) w(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (e !== n) w(s.charCodeAt(e));
  return true;
}
const OP = Object.prototype, AP = Array.prototype;
function leaf(v: unknown): number {
  // 1 = handled, 0 = not a leaf (object), -1 = bail
  if (typeof v === "number") { if ((v | 0) === v && v >= -0x800000 && v < 0x800000) { w((v << 8) | 1); return 1; } return -1; }
  if (typeof v === "string") return str(9, v) ? 1 : -1;
  if (typeof v === "object") { if (v === null) { w(6); return 1; } return 0; }
  if (typeof v === "boolean") { w(v ? 8 : 7); return 1; }
  if (v === undefined) { w(5); return 1; }
  return -1;
}
function fv(v: unknown, depth: number): boolean {
  const r = leaf(v);
  if (r !== 0) return r > 0;
  return fo(v as object, depth);
}
function fo(v: object, depth: number): boolean {
      if (depth > 8) return false;
      const p = Object.getPrototypeOf(v);
      if (p === AP) {
        const arr = v as unknown[]; const n = arr.length; w((n << 8) | 12);
        for (let i = 0; i < n; i++) { const it = arr[i]; if (it === undefined && !(i in arr)) return false; const r = leaf(it); if (r < 0 || (r === 0 && !fo(it as object, depth + 1))) return false; }
        return true;
      }
      if (p !== OP && p !== null) return false;
      const o = v as Record<string, unknown>;
      const sa = A, sb = B, sc = C, sd = D; let s0 = 0, s1 = 0, s2 = 0, s3 = 0, count = 0;
      for (const k in o) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
        A = 0x243f6a88; B = -2052912941; C = 0x13198a2e; D = 0x03707344;
        if (!str(25, k)) return false;
        const it = o[k];
        const r = leaf(it); if (r < 0 || (r === 0 && !fo(it as object, depth + 1))) return false;
        s0 = (s0 + av(A)) | 0; s1 = (s1 + av(B)) | 0; s2 = (s2 + av(C)) | 0; s3 = (s3 + av(D)) | 0; count++;
      }
      A = sa; B = sb; C = sc; D = sd;
      w((count << 8) | 14); w(s0); w(s1); w(s2); w(s3);
      return true;
}
const out = new Uint32Array(4);
function hk(values: ArrayLike<unknown>): boolean {
  A = 0x243f6a88; B = -2052912941; C = 0x13198a2e; D = 0x03707344;
  const n = values.length;
  for (let i = 0; i < n; i++) if (!fv(values[i], 1)) return false;
  w((n << 8) | 64);
  let a = av(A), b = av(B), c = av(C), d = av(D);
  a = (a + b + c + d) | 0; b = (b + a) | 0; c = (c + a) | 0; d = (d + a) | 0;
  out[0] = av(a); out[1] = av(b); out[2] = av(c); out[3] = av(d);
  return true;
}

let i = 0;
export { hk };
