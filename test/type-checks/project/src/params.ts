// Keyed parameters. A line whose comment says "expect: <severity> <CODE>" must get exactly those diagnostics.
/* eslint-disable @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type -- type fixtures: what matters is each declaration's type */
import { Readable } from "node:stream";

export class Db {
  query(sql: string): string[] {
    return [sql];
  }
}

export class Point {
  constructor(readonly x: number, readonly y: number) {}
  [Symbol.for("automemo.hash")]() {
    return [this.x, this.y];
  }
}

const HASH = Symbol.for("automemo.hash");

export class Tagged {
  constructor(readonly tag: string) {}
  [HASH]() {
    return this.tag;
  }
}

/** Registered at run time with configure({ hashers }), listed in the plugin's "hashable". */
export class Decimal {
  constructor(readonly digits: string) {}
}

export class Money extends Decimal {}

type UserId = string & { __brand: "UserId" };

export interface Filter {
  readonly tags: readonly string[];
  readonly range: [number, number];
  readonly weights: Record<string, number>;
}

const unregistered = Symbol("local");
const registered = Symbol.for("automemo.fixture");

/** @memo */
export function unhashableClass(db: Db, id: number): string[] { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return [String(id)];
}

/** @memo */
export function skippedClass(_db: Db, id: number): number {
  return id;
}

/** @memo */
export function hashMethods(point: Point, tagged: Tagged, amount: Decimal, money: Money): number {
  return point.x + tagged.tag.length + amount.digits.length + money.digits.length;
}

/** @memo */
export function callback(onDone: () => void): number { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return onDone.length;
}

/** @memo */
export async function pending(value: Promise<number>): Promise<number> { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return value;
}

/** @memo */
export function weak(seen: WeakMap<object, number>, refs: WeakSet<object>): number { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE, error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return seen.has(refs) ? 1 : 0;
}

/** @memo */
export function symbols(local: typeof unregistered, shared: typeof registered, any: symbol): string { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return String(local) + String(shared) + String(any);
}

/** @memo */
export function stream(input: Readable): number { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return input.readableLength;
}

/** @memo */
export function failure(error: Error): string { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return error.message;
}

/** @memo */
export function plainShapes(id: UserId, ids: readonly number[], filter: Filter, rows: Map<string, Set<Date>>, bytes: Uint8Array, big: bigint): number {
  return id.length + ids.length + filter.tags.length + rows.size + bytes.length + Number(big);
}

/** @memo */
export function generic<T>(value: T, list: T[]): number {
  return list.indexOf(value);
}

/** @memo */
export function silent(a: any, b: unknown, c: object, d: {}): string {
  return String(a) + String(b) + String(c) + String(d);
}

export function overloaded(id: number): string;
export function overloaded(id: string): string;
/** @memo */
export function overloaded(id: number | string): string {
  return String(id);
}

/** @memo */
export function optionalAndDefault(limit = 10, label?: string, db?: Db): string { // expect: warning AUTOMEMO_MAYBE_UNHASHABLE_PARAM_TYPE
  return `${label ?? ""}${limit}${db ? "db" : ""}`;
}

/** @memo */
export function rest(prefix: string, ...handlers: Array<() => void>): number { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return prefix.length + handlers.length;
}

/** @memo */
export function restOfNumbers(...ids: number[]): number {
  return ids.length;
}

/** @memo */
export function destructured({ db, limit }: { db: Db; limit: number }, [first]: [Db]): number { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE, error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return limit + (db === first ? 1 : 0);
}

/** @memo */
export function objectWithMethod(job: { id: string; run(): void }): string { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return job.id;
}

/** @memo */
export function maybe(source: string | (() => string), job: { id: string; onDone?: () => void }): string { // expect: warning AUTOMEMO_MAYBE_UNHASHABLE_PARAM_TYPE, warning AUTOMEMO_MAYBE_UNHASHABLE_PARAM_TYPE
  return typeof source === "string" ? source + job.id : source();
}

/** @singleton { key: "identity" } */
export function perConnection(db: Db): string[] {
  return db.query("select 1");
}

/** @singleton */
export function perDatabase(db: Db): string[] { // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return db.query("select 1");
}

export function outer(db: Db, limit: number): () => number {
  /** @memo */
  const inner = (): number => (db ? limit : 0); // expect: error AUTOMEMO_UNHASHABLE_PARAM_TYPE
  return inner;
}
