/**
 * n! for a non-negative integer. Recursive calls go through the cache too, so
 * `factorial(9)` after `factorial(10)` is a hit.
 *
 * @memo
 */
export function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/**
 * Both tags' options are literals, validated at compile time.
 * @memo { maxEntries: 100 }
 */
export const fibonacci = (n: number): number => (n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2));

export class Catalog {
  lookups = 0;

  constructor(readonly items: readonly string[]) {}

  /**
   * Cached per instance: `this` is part of the key, by identity.
   * @memo
   */
  find(prefix: string): string[] {
    this.lookups++;
    return this.items.filter((item) => item.startsWith(prefix));
  }
}
