/**
 * A bound on the work a decoded entry can cause. `v8.deserialize` itself is cheap on
 * crafted bytes (lengths it must fill are checked against the bytes present), but a
 * sparse array only declares its length: 40 bytes can declare 2^32 - 1 elements, and
 * whatever walks the value afterwards (the result copier on every hit) would then loop
 * for minutes. Typed arrays viewing one shared buffer multiply its size the same way.
 *
 * So before anything walks a decoded value, this counts what a walk would visit
 * (objects, array slots, object keys, Map and Set members, bytes of binary data)
 * without visiting more than that budget, and checks the nesting depth. A value that
 * passes costs a walk proportional to its stored size. An object reached many times
 * through shared references is counted each time: an honest value that shares one
 * large object thousands of times can be refused too, which only costs a recomputation. Which kinds of values are acceptable
 * is not decided here: the copier's own plain-data check does that (handle/persist.ts).
 */

/** Slots a value may declare beyond its byte count: room for honest sparse arrays. */
const SLACK_SLOTS = 1 << 20;
/** Deeper values are refused: walkers downstream are recursive. */
const MAX_DECODED_DEPTH = 2_000;

/** True when walking `value` costs at most about 2 * `storedBytes` + SLACK_SLOTS steps and it nests at most MAX_DECODED_DEPTH deep. */
export function measureDecodedShape(value: unknown, storedBytes: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  // An element takes at least one stored byte and is counted at most twice (slot and key).
  let budget = 2 * storedBytes + SLACK_SLOTS;
  // Two parallel stacks instead of one of records: no allocation per object.
  const objects: object[] = [value];
  const depths: number[] = [1];
  while (objects.length > 0) {
    const object = objects.pop()!;
    const depth = depths.pop()!;
    // Every visit costs, also of an object reached again through a back-reference: a chain
    // of diamonds runs out of budget instead of costing 2^n (no set of visited objects to pay for).
    if (depth > MAX_DECODED_DEPTH || --budget < 0) return false;
    const childDepth = depth + 1;
    if (Array.isArray(object)) {
      const length = object.length;
      budget -= length;
      if (budget < 0) return false;
      for (let i = 0; i < length; i++) {
        const item: unknown = object[i];
        if (typeof item === "object" && item !== null) {
          objects.push(item);
          depths.push(childDepth);
        }
      }
      continue;
    }
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      budget -= object.byteLength;
      if (budget < 0) return false;
      continue;
    }
    if (object instanceof Map || object instanceof Set) {
      budget -= object.size;
      if (budget < 0) return false;
      for (const entry of object instanceof Map ? object.entries() : object.values()) {
        const members: readonly unknown[] = object instanceof Map ? (entry as [unknown, unknown]) : [entry];
        for (const member of members) {
          if (typeof member === "object" && member !== null) {
            objects.push(member);
            depths.push(childDepth);
          }
        }
      }
      continue;
    }
    // Plain objects, boxed primitives, errors, dates: their own enumerable properties.
    for (const key in object) {
      if (--budget < 0) return false;
      const item: unknown = (object as Record<string, unknown>)[key];
      if (typeof item === "object" && item !== null) {
        objects.push(item);
        depths.push(childDepth);
      }
    }
  }
  return true;
}
