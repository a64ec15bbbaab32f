/**
 * examples/http-server under `node --import automemo/register`: the @singleton catalog
 * is opened once, and the second request for a term is a @memo hit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtRegister, expectBuiltPackage, repo } from "./loader-project.ts";

let server: ChildProcess | undefined;
let baseUrl = "";

beforeAll(async () => {
  expectBuiltPackage();
  server = spawn(process.execPath, ["--import", builtRegister, join(repo, "examples/http-server/server.ts")], {
    cwd: repo,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  baseUrl = await new Promise<string>((found, failed) => {
    server!.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) found(match[1]!);
    });
    server!.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    server!.on("exit", (code) => failed(new Error(`server exited with ${code}:\n${output}`)));
  });
});

afterAll(() => {
  server?.kill();
});

describe("examples/http-server", () => {
  it("answers the second identical query from the cache and opens the catalog once", async () => {
    const first = await (await fetch(`${baseUrl}/search?q=Promise`)).json();
    const second = await (await fetch(`${baseUrl}/search?q=Promise`)).json();
    expect(first.count).toBeGreaterThan(0);
    expect(first.declarations[0].text).toMatch(/Promise/);
    expect(second).toEqual(first);
    const stats = await (await fetch(`${baseUrl}/stats`)).json();
    expect(stats.findDeclarations).toMatchObject({ hits: 1, misses: 1 });
    expect(stats.openCatalog).toMatchObject({ hits: 0, misses: 1 });
  });
});
