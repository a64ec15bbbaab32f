import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSource } from "../../transformer/core/index.ts";

/**
 * The shared fixture layout: `fixtures/<kebab-case>/input.ts`, optional
 * `options.json`, one expected output per host (`output.<host>.js`) or `error.txt`.
 * Every host's runner uses these helpers, so they all read the same inputs and
 * place files the same way.
 */
const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));
/** Fixture filenames live under this (fake) project root, so ids are `src/<fixture>.ts#...`. */
export const FIXTURE_ROOT = "/project";
export const UPDATE_FIXTURES = process.env.AUTOMEMO_UPDATE_FIXTURES === "1";

export interface FixtureOptions {
  /** Project-relative path the input pretends to have (default `src/<fixture>.ts`). */
  readonly filename?: string;
  readonly runtimeModule?: string;
  readonly moduleFormat?: "esm" | "cjs";
  /** The input exports `run()` returning JSON-able data; execution tests compare transformed and original. */
  readonly runnable?: boolean;
  /** The transform must leave the input unchanged. */
  readonly expectUnchanged?: boolean;
}

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly input: string;
  readonly options: FixtureOptions;
  /** Absolute fake path under FIXTURE_ROOT. */
  readonly filename: string;
}

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(FIXTURES_DIR, entry.name, "input.ts")))
    .map((entry) => {
      const dir = join(FIXTURES_DIR, entry.name);
      const optionsFile = join(dir, "options.json");
      const options: FixtureOptions = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, "utf8")) : {};
      return {
        name: entry.name,
        dir,
        input: readFileSync(join(dir, "input.ts"), "utf8"),
        options,
        filename: `${FIXTURE_ROOT}/${options.filename ?? `src/${entry.name}.ts`}`,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function readExpected(fixture: Fixture, file: string): string | null {
  const path = join(fixture.dir, file);
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** Writes `file` (or removes it when `content` is null); only in update mode. */
export function writeExpected(fixture: Fixture, file: string, content: string | null): void {
  const path = join(fixture.dir, file);
  if (content === null) rmSync(path, { force: true });
  else writeFileSync(path, content);
}

/** The text host (bundlers, Node loader) on one fixture: the transformed code, or null when nothing changed. */
export function transformAsTextHost(input: string, filename: string, options: FixtureOptions): string | null {
  return transformSource(input, { filename, root: FIXTURE_ROOT, runtimeModule: options.runtimeModule, moduleFormat: options.moduleFormat })?.code ?? null;
}

/** What `error.txt` holds for a thrown transform error: its code, then its message. */
export function fixtureErrorText(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  return `${code ?? "(no code)"}\n${message}\n`;
}
