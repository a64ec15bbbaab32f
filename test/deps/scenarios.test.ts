import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRecentParseLimit } from "../../transformer/core/deps/module-bindings.ts";
import { HOSTS, runScenario, runScenarioUncached } from "./harness.ts";
import { SCENARIOS } from "./scenarios.ts";

describe.each(HOSTS)("dependency hashes: $name", (host) => {
  const scenarios = SCENARIOS.filter((scenario) => !scenario.buildWideOff || host.supportsBuildWideOff);
  it.each(scenarios)("$name", (scenario) => {
    const run = runScenario(scenario, host);
    expect(run.before.size).toBeGreaterThan(0);
    expect([...run.after.keys()].sort()).toEqual([...run.before.keys()].sort());
    expect(run.changed).toEqual([...scenario.changed].sort());
  });
});

describe("every host computes the same hashes", () => {
  it.each(SCENARIOS.filter((scenario) => !scenario.buildWideOff))("$name", (scenario) => {
    const [reference, ...others] = HOSTS.map((host) => ({ host: host.name, run: runScenario(scenario, host) }));
    for (const other of others) {
      expect({ host: other.host, before: Object.fromEntries(other.run.before), after: Object.fromEntries(other.run.after) }).toEqual({
        host: other.host,
        before: Object.fromEntries(reference!.run.before),
        after: Object.fromEntries(reference!.run.after),
      });
    }
  });
});

describe("the same hashes when every released file gives up its AST at once", () => {
  // Dependency tracking then works from each file's summaries and parses a file again
  // only for a binding nobody asked for before: the hashes must not notice.
  let previousLimit = 0;
  beforeAll(() => {
    previousLimit = setRecentParseLimit(0);
  });
  afterAll(() => {
    setRecentParseLimit(previousLimit);
  });
  const [reference] = HOSTS;
  it.each(SCENARIOS.filter((scenario) => !scenario.buildWideOff))("$name", (scenario) => {
    const dropping = runScenarioUncached(scenario, reference!);
    setRecentParseLimit(previousLimit);
    const keeping = runScenarioUncached(scenario, reference!);
    setRecentParseLimit(0);
    expect({ before: Object.fromEntries(dropping.before), after: Object.fromEntries(dropping.after) }).toEqual({
      before: Object.fromEntries(keeping.before),
      after: Object.fromEntries(keeping.after),
    });
    expect(dropping.changed).toEqual([...scenario.changed].sort());
  });
});
