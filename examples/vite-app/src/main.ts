import { stats } from "automemo";
import { countPrimesBelow } from "./primes.ts";

const limitInput = document.querySelector<HTMLInputElement>("#limit")!;
const result = document.querySelector<HTMLParagraphElement>("#result")!;
const statsLine = document.querySelector<HTMLParagraphElement>("#stats")!;

document.querySelector<HTMLButtonElement>("#count")!.addEventListener("click", () => {
  const limit = Number(limitInput.value);
  const started = performance.now();
  const count = countPrimesBelow(limit);
  result.textContent = `${count} primes below ${limit} (${(performance.now() - started).toFixed(1)} ms)`;
  const { hits, misses } = stats(countPrimesBelow);
  statsLine.textContent = `cache: ${hits} hits, ${misses} misses`;
});
