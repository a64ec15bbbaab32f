/**
 * A bounded cache with least-recently-used eviction by generations: entries live in
 * a young map, and when it fills up the previous old map is dropped and the young
 * one becomes old; reading an old entry moves it back to young. Every operation is
 * a plain Map get/set (no deletes, which make V8 maps slow), and memory stays
 * within two generations. Parsed files and their binding hashes are kept this way,
 * so a 500-file build parses each file once while long watch sessions stay bounded.
 */
export class LruMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  /** Keeps at least the `capacity / 2` most recently used entries, at most `capacity`. */
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
