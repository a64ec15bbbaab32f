import { benchHitCase } from "./hit-path.ts";
for (const liveKeys of [1, 1000]) {
  const rows = benchHitCase({ name: "small object", liveKeys }, 60);
  console.log(liveKeys, rows.map((r) => `${r.library}: ${r.nsPerHit?.toFixed(0)}`).join(" | "));
}
