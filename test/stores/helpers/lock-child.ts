/**
 * Runs one `computeOnceSync` of a DiskStore on the directory given as argv[2] (with a
 * 300 ms lock timeout) and prints `{ value, warnings, ms }` as JSON: the disk-lock tests
 * run it as another user (`runuser -u nobody`), in folders owned by root or shared with
 * others, which a store refuses unless it is told to trust them.
 */
import { DiskStore } from "../../../runtime/stores/disk.ts";

const warnings: string[] = [];
const store = new DiskStore({ dir: process.argv[2], trustDir: true, lockStaleMs: 300, warn: (message) => warnings.push(message) });
const started = Date.now();
const value = store.computeOnceSync({ id: "src/db.ts#loadRows", version: "aaaa1111" }, "0123456789abcdef0123456789abcdef", () => `computed by ${process.getuid?.()}`);
console.log(JSON.stringify({ value, warnings, ms: Date.now() - started }));
