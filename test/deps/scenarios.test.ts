import { describe, expect, it } from "vitest";
import { HOSTS, runScenario } from "./harness.ts";
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
