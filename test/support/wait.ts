/**
 * Polls `condition` until it holds; after `timeoutMs` throws with `describe()` (what
 * was awaited, plus whatever output helps explain why it never came).
 */
export async function waitUntil(condition: () => boolean, describe: () => string, { timeoutMs = 10_000, everyMs = 25 } = {}): Promise<void> {
  for (let waited = 0; !condition(); waited += everyMs) {
    if (waited > timeoutMs) throw new Error(`timed out waiting until ${describe()}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}
