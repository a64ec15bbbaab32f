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
 * passes costs a walk proportional to its stored size. Cycles and shared references
 * are kept (V8's serializer writes each object once and refers back to it): each
 * object is walked once, in the order of the recursive copiers (copy/snapshot.ts,
 * copy/clone.ts: keys, elements, Map entries, Set members, each depth first), so the
 * depth measured is the depth those copiers recurse to, and a chain of diamonds costs
 * its objects, not its paths. Which kinds of values are acceptable is not decided
 * here: the copier's own plain-data check does that (handle/persist.ts).
 */

/** Slots a value may declare beyond its byte count: room for honest sparse arrays. */
const SLACK_SLOTS = 1 << 20;
/** Deeper values are refused: walkers downstream are recursive. */
export const MAX_DECODED_DEPTH = 2_000;

/** True when walking `value` costs at most about 2 * `storedBytes` + SLACK_SLOTS steps and it nests at most MAX_DECODED_DEPTH deep. */
export function measureDecodedShape(value: unknown, storedBytes: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  // An element takes at least one stored byte and is counted at most twice (slot and key).
  let budget = 2 * storedBytes + SLACK_SLOTS;
  const walked = new Set<object>();
  // Two parallel stacks instead of one of records: no allocation per object. Children are
  // pushed in reverse and marked when popped, which visits them exactly as recursion would.
  const objects: object[] = [value];
  const depths: number[] = [1];
  const push = (item: unknown, depth: number): void => {
    if (typeof item === "object" && item !== null && !walked.has(item)) {
      objects.push(item);
      depths.push(depth);
    }
  };
  while (objects.length > 0) {
    const object = objects.pop()!;
    const depth = depths.pop()!;
    // Every pop costs, also of an object pushed twice before it was walked: pops never outnumber counted slots.
    if (--budget < 0) return false;
    if (walked.has(object)) continue;
    walked.add(object);
    if (depth > MAX_DECODED_DEPTH) return false;
    const childDepth = depth + 1;
    const firstChild = objects.length;
    if (Array.isArray(object)) {
      const length = object.length;
      budget -= length;
      if (budget < 0) return false;
      for (let i = length - 1; i >= 0; i--) push(object[i], childDepth);
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
      if (object instanceof Map) {
        for (const [key, member] of object) {
          push(key, childDepth);
          push(member, childDepth);
        }
      } else {
        for (const member of object) push(member, childDepth);
      }
    } else {
      // Plain objects, boxed primitives, errors, dates: their own enumerable properties.
      for (const key in object) {
        if (--budget < 0) return false;
        push((object as Record<string, unknown>)[key], childDepth);
      }
    }
    reverseFrom(objects, depths, firstChild);
  }
  return true;
}

/** Reverses what was pushed from `start` on (both stacks alike), so the first child is popped first. */
function reverseFrom(objects: object[], depths: number[], start: number): void {
  for (let low = start, high = objects.length - 1; low < high; low++, high--) {
    const object = objects[low];
    objects[low] = objects[high];
    objects[high] = object;
    const depth = depths[low];
    depths[low] = depths[high];
    depths[high] = depth;
  }
}
