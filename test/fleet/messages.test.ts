import { describe, expect, it } from "vitest";
import { decodeInvalidation, encodeInvalidation } from "../../runtime/fleet/messages.ts";

describe("invalidation messages", () => {
  it("round-trip every kind with their origin", () => {
    for (const message of [
      { kind: "clear", id: "a.ts#f" },
      { kind: "clear", id: "a.ts#f", key: "0123456789abcdef0123456789abcdef" },
      { kind: "clear-all" },
      { kind: "tags", tags: ["users", "user:7"] },
    ] as const) {
      expect(decodeInvalidation(encodeInvalidation("me", message))).toEqual({ origin: "me", message });
    }
  });

  it("ignore anything malformed (anyone who can publish on the channel can send it)", () => {
    for (const payload of [
      "not json",
      "null",
      JSON.stringify({ m: { kind: "clear-all" } }),
      JSON.stringify({ o: 1, m: { kind: "clear-all" } }),
      JSON.stringify({ o: "x", m: { kind: "clear" } }),
      JSON.stringify({ o: "x", m: { kind: "clear", id: "a", key: "../../etc" } }),
      JSON.stringify({ o: "x", m: { kind: "tags", tags: [1] } }),
      JSON.stringify({ o: "x", m: { kind: "drop-table" } }),
    ]) {
      expect(decodeInvalidation(payload), payload).toBeUndefined();
    }
  });

  it("keep only the known fields", () => {
    const decoded = decodeInvalidation(JSON.stringify({ o: "x", m: { kind: "clear", id: "a", extra: { __proto__: 1 } } }));
    expect(decoded?.message).toEqual({ kind: "clear", id: "a" });
  });
});
