/**
 * A bound on the work a decoded entry can cause. `v8.deserialize` itself is cheap on
 * crafted bytes (lengths it must fill are checked against the bytes present), but a
 * sparse array only declares its length: 40 bytes can declare 2^32 - 1 elements, and
 * whatever walks the value afterwards (the result copier on every hit) would then loop
 * for minutes. Typed arrays viewing one shared buffer multiply its size the same way.
 *
 * So before anything walks a decoded value, this counts what a walk would visit
 * (array slots, object keys, Map and Set members, bytes of binary data) without
 * visiting more than that budget, and checks the nesting depth. A value that passes
 * costs a walk proportional to its stored size. Which kinds of values are acceptable
 * is not decided here: the copier's own plain-data check does that (handle/persist.ts).
 */

/** Slots a value may declare beyond its byte count: room for honest sparse arrays. */
const SLACK_SLOTS = 1 << 20;
/** Deeper values are refused: walkers downstream are recursive. */
export const MAX_DECODED_DEPTH = 2_000;

/** True when walking `value` costs at most about 2 * `storedBytes` + SLACK_SLOTS steps and it nests at most MAX_DECODED_DEPTH deep. */
export function measureDecodedShape(value: unknown, storedBytes: number): boolean {
  // An element takes at least one stored byte and is counted at most twice (slot and key).
  let budget = 2 * storedBytes + SLACK_SLOTS;
  const seen = new Set<object>();
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  const push = (child: unknown, depth: number) => {
    if (typeof child === "object" && child !== null) pending.push({ value: child, depth });
  };
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const object = next.value as object;
    if (seen.has(object)) continue;
    seen.add(object);
    const depth = next.depth + 1;
    if (depth > MAX_DECODED_DEPTH) return false;
    budget -= declaredSize(object);
    if (budget < 0) return false;
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) continue;
    if (object instanceof Map) {
      for (const [key, member] of object) {
        push(key, depth);
        push(member, depth);
      }
    } else if (object instanceof Set) {
      for (const member of object) push(member, depth);
    } else if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) push(object[i], depth);
    }
    // Own properties of every object, arrays included (an array may carry named ones).
    const keys = Object.keys(object);
    budget -= keys.length;
    if (budget < 0) return false;
    for (const key of keys) {
      if (Array.isArray(object) && isIndex(key)) continue;
      push((object as Record<string, unknown>)[key], depth);
    }
  }
  return true;
}

/** What walking this one object costs, from what it declares (not from iterating it). */
function declaredSize(object: object): number {
  if (Array.isArray(object)) return object.length + 1;
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return object.byteLength + 1;
  if (object instanceof Map || object instanceof Set) return object.size + 1;
  return 1;
}

function isIndex(key: string): boolean {
  const code = key.charCodeAt(0);
  return code >= 48 && code <= 57;
}
