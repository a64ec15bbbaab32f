import { binaryOrSkip } from "./runtimes.ts";

/** The Node 24 binary that .ci/run installs, for tests of what only Node 22+ does. */
export function node24OrSkip(context: { skip(): void }, needFor: string): string {
  return binaryOrSkip("AUTOMEMO_NODE24", context, `a Node 24 binary: ${needFor}`);
}
