// Builds once with a webpack or Rspack config file, in a process of its own, as
// `npx webpack` / `npx rspack` would: `node run-compiler.mjs <webpack|rspack> <config file>`.
// A persistent cache is only proven across processes. Exits non-zero on build errors.
import { stderr } from "node:process";
import process from "node:process";
import { pathToFileURL } from "node:url";

const [tool, configFile] = process.argv.slice(2);
const config = (await import(pathToFileURL(configFile).href)).default;
const compile = tool === "rspack" ? (await import("@rspack/core")).rspack : (await import("webpack")).default;
const compiler = compile(config);
compiler.run((error, stats) => {
  if (error) throw error;
  if (stats.hasErrors()) {
    stderr.write(`${stats.toString({ all: false, errors: true })}\n`);
    process.exitCode = 1;
  }
  compiler.close(() => {});
});
