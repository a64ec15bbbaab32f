import { describe, expect, it } from "vitest";
import { CORE_HOST, HOSTS, newProcessHost, Project, REVERSED_CORE_HOST, runScenario, runScenarioUncached } from "./harness.ts";
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

describe("the same hashes when files are planned back to front in one process", () => {
  // Each planned file's summary is filled from the planner's tree; the later plannings
  // that read it as a dependency take that summary instead of reading their own: the
  // hashes must not notice.
  it.each(SCENARIOS.filter((scenario) => !scenario.buildWideOff))("$name", (scenario) => {
    const reversed = runScenarioUncached(scenario, REVERSED_CORE_HOST);
    const reference = runScenario(scenario, CORE_HOST);
    expect({ before: Object.fromEntries(reversed.before), after: Object.fromEntries(reversed.after) }).toEqual({
      before: Object.fromEntries(reference.before),
      after: Object.fromEntries(reference.after),
    });
    expect(reversed.changed).toEqual([...scenario.changed].sort());
  });
});

describe("the same hashes from what earlier builds saved (each build a new process)", () => {
  // Build 1 saves module summaries and plan records; build 2 (nothing edited) takes every
  // digest from the records; build 3 (after the edit) must notice exactly what changed,
  // with records and summaries of the untouched files still on disk.
  const cases = SCENARIOS.filter((scenario) => !scenario.buildWideOff).flatMap((scenario) =>
    (["disk", "typescript program"] as const).map((resolver) => ({ scenario, resolver, name: `${scenario.name} (${resolver} resolver)` })),
  );
  it.each(cases)("$name", ({ scenario, resolver }) => {
    const host = newProcessHost(`core planModule, new process per build, saved cache, ${resolver} resolver`, resolver);
    const reference = runScenario(scenario, CORE_HOST);
    const project = new Project(scenario.files);
    try {
      const first = host.hashes(project, false);
      const second = host.hashes(project, false);
      project.write(scenario.edit);
      const afterEdit = host.hashes(project, false);
      const afterEditAgain = host.hashes(project, false);
      expect(Object.fromEntries(first)).toEqual(Object.fromEntries(reference.before));
      expect(Object.fromEntries(second)).toEqual(Object.fromEntries(reference.before));
      expect(Object.fromEntries(afterEdit)).toEqual(Object.fromEntries(reference.after));
      expect(Object.fromEntries(afterEditAgain)).toEqual(Object.fromEntries(reference.after));
    } finally {
      project.dispose();
    }
  });
});
