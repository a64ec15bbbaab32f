/**
 * The wire form of fleet invalidations: JSON `{ o: origin, m: message }`. The origin
 * (random per bus) lets a process skip its own messages, which it already applied.
 * Anyone who can publish on the Redis channel can send one, so a payload is checked
 * field by field and anything else is dropped; the worst a forged message can do is
 * drop memory entries, which costs recomputation or a store read, never a wrong value.
 */
import type { Invalidation } from "../stores/store.ts";

export function encodeInvalidation(origin: string, message: Invalidation): string {
  return JSON.stringify({ o: origin, m: message });
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function checkedMessage(raw: unknown): Invalidation | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const message = raw as Record<string, unknown>;
  switch (message.kind) {
    case "clear":
      if (typeof message.id !== "string") return undefined;
      if (message.key !== undefined && (typeof message.key !== "string" || !/^[0-9a-f]{32}$/.test(message.key))) return undefined;
      return message.key === undefined ? { kind: "clear", id: message.id } : { kind: "clear", id: message.id, key: message.key };
    case "clear-all":
      return { kind: "clear-all" };
    case "tags":
      return isStringList(message.tags) ? { kind: "tags", tags: message.tags } : undefined;
    default:
      return undefined;
  }
}

/** The message of a payload and its origin; undefined for anything malformed. */
export function decodeInvalidation(payload: string): { readonly origin: string; readonly message: Invalidation } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { o: origin, m } = parsed as { o?: unknown; m?: unknown };
  const message = checkedMessage(m);
  return typeof origin === "string" && message !== undefined ? { origin, message } : undefined;
}
