/**
 * Sieve of Eratosthenes: a few hundred milliseconds for a few million, instant the second time.
 * @memo { maxEntries: 20 }
 */
export function countPrimesBelow(limit: number): number {
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let n = 2; n < limit; n++) {
    if (composite[n]) continue;
    count++;
    for (let multiple = n * n; multiple < limit; multiple += n) composite[multiple] = 1;
  }
  return count;
}
