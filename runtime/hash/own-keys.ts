/**
 * What a plain object (or null-prototype object) holds beyond its own enumerable
 * string keys: non-enumerable own properties and symbol-keyed ones. Hashing and
 * copying walk `for...in`, which sees neither, so both check here first: a value
 * whose other own keys a walk would miss would otherwise share a key (or lose them
 * in a copy).
 *
 * `Object.getOwnPropertyNames` answers from V8's enum cache for ordinary objects
 * (about as cheap as `Object.keys`); the symbol list has no such cache, but there is
 * no other way to see symbol keys.
 */

/** True when `object`'s own keys are exactly the `enumerableCount` enumerable string keys `for...in` counted. */
export function hasOnlyEnumerableStringKeys(object: object, enumerableCount: number): boolean {
  return Object.getOwnPropertyNames(object).length === enumerableCount && Object.getOwnPropertySymbols(object).length === 0;
}

/** The first own string key of `object` that is not enumerable, if any. */
export function firstNonEnumerableKey(object: object): string | undefined {
  return Object.getOwnPropertyNames(object).find((key) => !Object.prototype.propertyIsEnumerable.call(object, key));
}

/** An `arguments` object: Object.prototype like a plain object, told apart only by its class. */
export function isArgumentsObject(value: object): boolean {
  return Object.prototype.toString.call(value) === "[object Arguments]";
}
