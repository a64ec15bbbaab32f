import { describe, expect, it } from "vitest";
import { encodeEntry } from "../../runtime/stores/codec.ts";
import { RedisStore } from "../../runtime/stores/redis.ts";
import type { RedisClientLike } from "../../runtime/stores/redis-connection.ts";

/**
 * The Redis hit path against a scripted client (no server): one GET per hit, no
 * per-command `timeout` handed to node-redis (it arms an AbortSignal per command, which
 * cost more than the rest of a small hit), and still bounded by the store's own timer.
 */
const fn = { id: "test/redis-hit.ts#load", version: "1" };
const KEY = "0123456789abcdef0123456789abcdef";

function scriptedClient(answer: (args: readonly unknown[]) => Promise<unknown>): RedisClientLike & { calls: { args: readonly unknown[]; options: object | undefined }[] } {
  const calls: { args: readonly unknown[]; options: object | undefined }[] = [];
  return {
    calls,
    isReady: true,
    sendCommand(args, options) {
      calls.push({ args, options });
      return answer(args);
    },
  };
}

describe("RedisStore hit path", () => {
  it("answers a hit with one GET, binary replies and no per-command client timeout", async () => {
    const entry = encodeEntry(fn.id, { rows: [1, 2, 3] }, { createdAt: Date.now(), expiresAt: 0 });
    const client = scriptedClient(async () => entry);
    const store = new RedisStore({ client, timeoutMs: 5_000 });
    await expect(store.read(fn, KEY)).resolves.toEqual({ value: { rows: [1, 2, 3] } });
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]!.args).toEqual(["GET", store.entryKey(fn, KEY)]);
    expect(client.calls[0]!.options).toMatchObject({ typeMapping: { 36: Buffer } });
    expect(client.calls[0]!.options).not.toHaveProperty("timeout");
    await store.close();
  });

  it("still gives up on a read after timeoutMs when the client never answers", async () => {
    const warnings: string[] = [];
    const client = scriptedClient(() => new Promise(() => {}));
    const store = new RedisStore({ client, timeoutMs: 100, warn: (message) => warnings.push(message) });
    const started = Date.now();
    await expect(store.read(fn, KEY)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(warnings.join("\n")).toMatch(/did not answer GET within 100 ms/);
    await store.close();
  });
});
