/**
 * The Node 24 binary that .ci/run installs and exports as AUTOMEMO_NODE24, for tests of
 * what only Node 22+ does. Without it a test skips with the reason, except in CI, where
 * skipping would hide that the test never ran.
 */
export function node24OrSkip(context: { skip(): void }, needFor: string): string {
  const node24 = process.env.AUTOMEMO_NODE24;
  if (node24) return node24;
  const reason = `AUTOMEMO_NODE24 is not set (.ci/run sets it to a Node 24 binary): ${needFor}`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must run this test.`);
  console.warn(`[skipped] ${reason}`);
  context.skip();
  throw new Error("unreachable: context.skip() throws");
}
