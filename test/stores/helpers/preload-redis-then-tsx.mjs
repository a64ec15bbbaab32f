// `node preload-redis-then-tsx.mjs <script.ts> [args...]`: runs a TypeScript script through tsx,
// loading the `redis` package first. Through tsx's hooks it takes ~2 s of CPU per process to
// load, which would make the multi-process tests slow on a 2-core machine for no benefit.
import process from "node:process";
import { pathToFileURL } from "node:url";

await import("redis");
const { register } = await import("tsx/esm/api");
register();
await import(pathToFileURL(process.argv[2]).href);
