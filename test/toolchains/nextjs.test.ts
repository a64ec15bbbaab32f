/**
 * Next.js 16 with webpack (`next build --webpack`, `.next/cache/webpack` on) and the
 * `next.config.mjs` docs/nextjs.md shows. The route calls the cached function at build
 * time (`force-static`), so the prerendered body holds the value: edit the helper in
 * another file (new value), reinstall the imported package at another version
 * (recomputed), reformat the helper (served from the disk store).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { docsFiles, HELPER, repo, ToolchainProject } from "./project.ts";

const NEXT = join(repo, "node_modules/next/dist/bin/next");

const project = new ToolchainProject("nextjs", "js");
afterAll(() => project.remove());

it("recomputes after a helper edit and a package version bump, and not after a reformat, with webpack's cache on", { timeout: 900_000 }, () => {
  const config = docsFiles("nextjs.md", "## Recommended").get("next.config.mjs");
  expect(config, "next.config.mjs in docs/nextjs.md").toBeTruthy();
  project.write("next.config.mjs", config!);
  project.write("app/layout.js", "export default function RootLayout({ children }) {\n  return <html><body>{children}</body></html>;\n}\n");
  project.write(
    "app/api/total/route.js",
    'import { total } from "../../../src/total";\n\nexport const dynamic = "force-static";\n\nexport function GET() {\n  return Response.json(total(2));\n}\n',
  );
  const build = () => {
    project.node(NEXT, ["build", "--webpack"], { NEXT_TELEMETRY_DISABLED: "1" });
    return JSON.parse(project.read(".next/server/app/api/total.body")) as number;
  };

  expect(build()).toBe(23);
  expect(project.computations()).toBe(1);
  expect(existsSync(join(project.dir, ".next/cache/webpack")), "webpack's cache is on").toBe(true);

  project.writeHelper(HELPER.edited);
  expect(build(), "the helper in another file changed").toBe(43);
  expect(project.computations()).toBe(2);

  project.installRates("1.1.0");
  expect(build()).toBe(43);
  expect(project.computations(), "another version of an imported package").toBe(3);

  project.writeHelper(HELPER.reformatted);
  expect(build()).toBe(43);
  expect(project.computations(), "a whitespace-only edit keeps the hash: served from the disk store").toBe(3);
});
