// @memo results and persist. A line whose comment says "expect: <severity> <CODE>" must get exactly those diagnostics.
/* eslint-disable @typescript-eslint/no-unused-vars -- type fixtures: what matters is each declaration's type */
export class Connection {
  close(): void {}
}

export interface Row {
  readonly id: number;
  readonly tags: readonly string[];
  readonly at: Date;
  readonly link?: URL;
}

/** @memo */
export function connect(url: string): Connection { // expect: error AUTOMEMO_NON_PLAIN_RESULT_TYPE
  return new Connection();
}

/** @singleton */
export function connection(url: string): Connection {
  return new Connection();
}

/** @memo */
export async function connectLater(url: string): Promise<Connection> { // expect: error AUTOMEMO_NON_PLAIN_RESULT_TYPE
  return new Connection();
}

/** @memo */
export function handler(name: string) { // expect: error AUTOMEMO_NON_PLAIN_RESULT_TYPE
  return () => name;
}

/** @memo */
export function counter(limit: number): IterableIterator<number> { // expect: error AUTOMEMO_NON_PLAIN_RESULT_TYPE
  return [limit].values();
}

/** @memo */
export async function rows(table: string): Promise<Row[]> {
  return [{ id: 1, tags: [table], at: new Date() }];
}

/** @memo */
export function index(table: string): Map<string, Set<number>> {
  return new Map([[table, new Set([1])]]);
}

/** @memo */
export function failure(reason: string): Error {
  return new Error(reason);
}

/** @memo */
export function either(url: string): Row | Connection { // expect: warning AUTOMEMO_MAYBE_NON_PLAIN_RESULT_TYPE
  return url ? new Connection() : { id: 1, tags: [], at: new Date() };
}

/** @memo */
export function anything(url: string): unknown {
  return url;
}

/** @memo { persist: "disk" } */
export async function storedRows(table: string): Promise<Row[]> {
  return [{ id: 1, tags: [table], at: new Date() }];
}

/** @memo { persist: "disk" } */
export function storedLink(href: string): { readonly href: string; readonly url: URL } { // expect: error AUTOMEMO_UNSTORABLE_RESULT_TYPE
  return { href, url: new URL(href) };
}

/** @memo { persist: "redis" } */
export async function storedSymbol(key: string): Promise<symbol> { // expect: error AUTOMEMO_UNSTORABLE_RESULT_TYPE
  return Symbol.for(key);
}

/** @memo { persist: false } */
export function memoryOnlyLink(href: string): URL {
  return new URL(href);
}

/** @memo { persist: "disk" } */
export function storedConnection(url: string): Connection { // expect: error AUTOMEMO_NON_PLAIN_RESULT_TYPE
  return new Connection();
}
