/**
 * Binaries that .ci/run installs from npm packages and exports in environment variables:
 * Node 24 (AUTOMEMO_NODE24), Bun (AUTOMEMO_BUN), Deno (AUTOMEMO_DENO). Without one, a test
 * skips with the reason, except in CI, where skipping would hide that the test never ran.
 */
export function binaryOrSkip(variable: string, context: { skip(): void }, what: string): string {
  const binary = process.env[variable];
  if (binary) return binary;
  const reason = `${variable} is not set (.ci/run sets it to ${what})`;
  if (process.env.CI === "true") throw new Error(`${reason}; CI must run this test.`);
  console.warn(`[skipped] ${reason}`);
  context.skip();
  throw new Error("unreachable: context.skip() throws");
}

export const bunOrSkip = (context: { skip(): void }) => binaryOrSkip("AUTOMEMO_BUN", context, "the bun binary from the npm package `bun`");
export const denoOrSkip = (context: { skip(): void }) => binaryOrSkip("AUTOMEMO_DENO", context, "the deno binary from the npm package `deno`");
