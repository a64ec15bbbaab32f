// `node preload-redis-then-tsx.mjs [--preload-redis] <script.ts> [args...]`: runs a TypeScript
// script through tsx. With --preload-redis, the `redis` package is loaded before tsx's hooks:
// through them it takes ~2 s of CPU per process to load, which would make the multi-process
// tests slow on a 2-core machine for no benefit.
import process from "node:process";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
if (args[0] === "--preload-redis") {
  args.shift();
  await import("redis");
}
process.argv = [process.argv[0], args[0], ...args.slice(1)];
const { register } = await import("tsx/esm/api");
register();
await import(pathToFileURL(args[0]).href);
