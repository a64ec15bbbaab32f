/**
 * Every host embeds the same ids, code hashes, parameter lists, key components and
 * options for every fixture: the core's text emitter (bundlers, Node loader),
 * Babel 7 and 8, TypeScript 6.0 and 5.9. The handle declarations are read back
 * from each output as values, so formatting differences between hosts do not matter.
 */
import { describe, expect, it } from "vitest";
import { transformSource } from "../../transformer/core/index.ts";
import { FIXTURE_ROOT, loadFixtures, readExpected, type Fixture } from "../support/fixtures.ts";
import { AST_FIXTURE_HOSTS } from "./fixture-hosts.ts";
import { emittedHandles } from "./handles.ts";

const fixtures = loadFixtures().filter((fixture) => readExpected(fixture, "error.txt") === null);

const hosts: Record<string, (fixture: Fixture) => string | null> = {
  text: (fixture) => transformSource(fixture.input, { filename: fixture.filename, root: FIXTURE_ROOT, ...fixture.options })?.code ?? null,
  ...Object.fromEntries(AST_FIXTURE_HOSTS.map((host) => [host.name, (fixture: Fixture) => host.transform(fixture.input, fixture.filename, fixture.options)])),
};

function handlesFrom(fixture: Fixture, host: string): unknown {
  return { host, handles: emittedHandles(hosts[host]!(fixture) ?? fixture.input) };
}

describe("the same handles from every host", () => {
  it("compares fixtures that declare handles", () => {
    const declaring = fixtures.filter((fixture) => emittedHandles(hosts.text!(fixture) ?? fixture.input).length > 0);
    expect(declaring.length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", (_name, fixture) => {
    const reference = emittedHandles(hosts.text!(fixture) ?? fixture.input);
    for (const host of Object.keys(hosts)) expect(handlesFrom(fixture, host)).toEqual({ host, handles: reference });
  });
});
