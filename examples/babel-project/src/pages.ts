export interface Page {
  readonly number: number;
  readonly rows: readonly number[];
}

export let queries = 0;

/**
 * The seed's `get_page(_sessionmaker, page_size, page)`: the session factory starts
 * with `_`, so it is left out of the key.
 *
 * @memo { ttl: "1h" }
 */
export async function getPage(_sessionmaker: () => object, pageSize: number, page: number): Promise<Page> {
  _sessionmaker();
  queries++;
  const first = page * pageSize;
  return { number: page, rows: Array.from({ length: pageSize }, (_, index) => first + index) };
}

/** @singleton */
export function connect(url: string): { url: string; opened: Date } {
  return { url, opened: new Date() };
}
