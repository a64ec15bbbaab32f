import { describe, expect, it } from "vitest";
import { type Fixture, FIXTURE_ROOT, type FixtureOptions, fixtureErrorText, loadFixtures, readExpected, transformAsTextHost, UPDATE_FIXTURES, writeExpected } from "./support/fixtures.ts";
import { clearHandles, runFixtureProgram, totalHits } from "./support/execute-fixture.ts";
import { transformWithBundlerPlugin } from "./bundlers/plugin-host.ts";
import { AST_FIXTURE_HOSTS } from "./hosts/fixture-hosts.ts";

/**
 * The shared fixture runner. Every host is one row of `HOSTS`; for each fixture and
 * host it compares the output with `fixtures/<name>/<outputFile>` (or the thrown
 * error with `error.txt`), transforms the output again to prove idempotency, and
 * executes runnable fixtures against the real runtime.
 *
 * Regenerate the expected files: `npm run fixtures:update`
 * (AUTOMEMO_UPDATE_FIXTURES=1), then review the diff like code.
 */
interface FixtureHost {
  readonly name: string;
  /** Expected output file inside the fixture folder. */
  readonly outputFile: string;
  /** Expected error file (default `error.txt`, shared by hosts that format errors alike). */
  readonly errorFile?: string;
  /** Transformed code, or null when the host leaves the file unchanged. */
  transform(input: string, filename: string, options: FixtureOptions): string | null | Promise<string | null>;
  /** The text stored in the error file (default: code, then message). */
  formatError?(error: unknown): string;
}

const HOSTS: readonly FixtureHost[] = [
  {
    name: "text (bundlers, Node loader)",
    outputFile: "output.bundler.js",
    transform: transformAsTextHost,
  },
  {
    // The real bundler plugin (transformer/unplugin.ts) through the hook object Rollup and Vite receive.
    name: "bundler plugin",
    outputFile: "output.bundler.js",
    transform: (input, filename, options) => transformWithBundlerPlugin(input, filename, { root: FIXTURE_ROOT, runtimeModule: options.runtimeModule }),
  },
  // Babel 7 / 8 and TypeScript 6.0 / 5.9 (test/hosts/fixture-hosts.ts).
  ...AST_FIXTURE_HOSTS,
];

async function transformOrError(host: FixtureHost, fixture: Fixture, input: string): Promise<{ output: string } | { error: string }> {
  try {
    return { output: (await host.transform(input, fixture.filename, fixture.options)) ?? input };
  } catch (error) {
    if (!(error instanceof Error) || !("code" in error)) throw error;
    return { error: (host.formatError ?? fixtureErrorText)(error) };
  }
}

const fixtures = loadFixtures();

describe.each(HOSTS)("fixtures: $name", (host) => {
  const errorFile = host.errorFile ?? "error.txt";

  it.each(fixtures)("$name", async (fixture) => {
    const result = await transformOrError(host, fixture, fixture.input);
    if (UPDATE_FIXTURES) {
      writeExpected(fixture, host.outputFile, "output" in result ? result.output : null);
      writeExpected(fixture, errorFile, "error" in result ? result.error : null);
    }
    if ("error" in result) {
      expect(readExpected(fixture, host.outputFile), `${fixture.name} failed but has ${host.outputFile}`).toBeNull();
      expect(result.error).toBe(readExpected(fixture, errorFile));
      return;
    }
    expect(readExpected(fixture, errorFile), `${fixture.name} has ${errorFile} but transformed fine`).toBeNull();
    expect(result.output).toBe(readExpected(fixture, host.outputFile));
    if (fixture.options.expectUnchanged) expect(result.output).toBe(fixture.input);
    else expect(result.output).not.toBe(fixture.input);

    const again = await transformOrError(host, fixture, result.output);
    expect(again, "transforming the output again must change nothing").toEqual({ output: result.output });
  });
});

/** Function ids declared by the handles in an output, whatever printer produced it. */
function handleIds(output: string): string[] {
  return [...output.matchAll(/\bid:\s*"([^"]*#[^"]*)"/g)].map((match) => match[1]);
}

const runnable = fixtures.filter((fixture) => fixture.options.runnable);

describe.each(HOSTS)("execution: $name", (host) => {
  it.each(runnable)("$name", async (fixture) => {
    const output = readExpected(fixture, host.outputFile);
    expect(output, `${fixture.name}/${host.outputFile} is missing`).not.toBeNull();
    const ids = handleIds(output!);
    expect(ids.length, "no cache handles in the output").toBeGreaterThan(0);
    const filename = fixture.filename;
    const original = await runFixtureProgram(fixture.input, filename);
    await clearHandles(ids);
    const hitsBefore = totalHits(ids);
    const transformed = await runFixtureProgram(output!, filename, fixture.options.runtimeModule);
    expect(transformed.value).toEqual(original.value);
    expect(totalHits(ids) - hitsBefore, "the transformed program never hit its cache").toBeGreaterThan(0);
  });
});
