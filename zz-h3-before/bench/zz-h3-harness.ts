export function compare(fns: Record<string, () => unknown>, roundMs = 30, rounds = 12): Record<string, number> {
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const best: Record<string, number> = {};
  const batch: Record<string, number> = {};
  for (const [k, f] of Object.entries(fns)) { let n = 1000; for (;;) { const s = cpu(); for (let i = 0; i < n; i++) f(); const e = cpu() - s; if (e > roundMs) { batch[k] = n; break; } n *= 2; } best[k] = Infinity; }
  for (let r = 0; r < rounds; r++) for (const [k, f] of Object.entries(fns)) { const n = batch[k]; const s = cpu(); for (let i = 0; i < n; i++) f(); const ns = ((cpu() - s) * 1e6) / n; if (ns < best[k]) best[k] = ns; }
  return best;
}
export function show(best: Record<string, number>, ref: string): void {
  console.log(Object.entries(best).map(([k, v]) => `${k} ${v.toFixed(0)} (${(v / best[ref]).toFixed(2)})`).join(" | "));
}
