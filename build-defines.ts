/**
 * Constants the build writes into the shipped code (tsup `define`; the benches bundle
 * the core with the same ones). Both are part of the fingerprint of dependency
 * tracking's saved data (transformer/core/deps/fingerprint.ts).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/**
 * A hash of every transformer source file: saved data written by another build of the
 * transformer (even of the same version, as with a git dependency) is set aside,
 * without planning a sample at run time.
 */
function transformerBuildId(): string {
  const hash = createHash("sha1");
  const folder = join(ROOT, "transformer");
  const files = readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .sort();
  for (const file of files) hash.update(`${file}\0${readFileSync(join(folder, file), "utf8")}\0`);
  return hash.digest("hex").slice(0, 16);
}

export function buildDefines(): Record<string, string> {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  return { __AUTOMEMO_VERSION__: JSON.stringify(version), __AUTOMEMO_BUILD_ID__: JSON.stringify(transformerBuildId()) };
}
