import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as babel7 from "@babel/core";
import { afterEach } from "vitest";
import babelPresetTypescript from "@babel/preset-typescript";
import type * as TS from "typescript";
import automemoBabel from "../../transformer/babel.ts";
import { clearDependencyCaches, createTypeScriptDependencyResolver, planModule, transformSource } from "../../transformer/core/index.ts";
import { automemoTransformer } from "../../transformer/typescript.ts";

/**
 * Edit scenarios for dependency-aware hashes: a project (files on disk, in a temp
 * folder), an edit, and the exact set of function ids whose hash must change.
 * Every host computes the hashes of every tagged file before and after the edit.
 */
export interface Scenario {
  readonly name: string;
  /** Project-relative path => content, before the edit. */
  readonly files: Readonly<Record<string, string>>;
  /** Files written (or deleted, null) by the edit. */
  readonly edit: Readonly<Record<string, string | null>>;
  /** Ids (`src/a.ts#f`) whose hash must change; every other id must keep its hash. */
  readonly changed: readonly string[];
  /** Run with dependency tracking off for the whole build. */
  readonly buildWideOff?: boolean;
}

/** Hashes by function id, for every tagged file of a project. */
type HashTable = ReadonlyMap<string, string>;

export interface Host {
  readonly name: string;
  /** Whether the host takes the build-wide `dependencies: false` option. */
  readonly supportsBuildWideOff: boolean;
  hashes(project: Project, buildWideOff: boolean): HashTable;
}

/** A `project(files)` maker for one test file: every project it made is deleted after each test. */
export function projectsDeletedAfterEach(): (files: Readonly<Record<string, string>>) => Project {
  const made: Project[] = [];
  afterEach(() => {
    for (const created of made.splice(0)) created.dispose();
  });
  return (files) => {
    const created = new Project(files);
    made.push(created);
    return created;
  };
}

export class Project {
  readonly root: string;

  constructor(files: Readonly<Record<string, string>>) {
    this.root = mkdtempSync(join(tmpdir(), "automemo-deps-"));
    this.write(files);
  }

  write(files: Readonly<Record<string, string | null>>): void {
    for (const [path, content] of Object.entries(files)) {
      const absolute = join(this.root, path);
      if (content === null) rmSync(absolute, { force: true });
      else {
        mkdirSync(dirname(absolute), { recursive: true });
        writeFileSync(absolute, content);
      }
    }
  }

  /** Source files that carry a tag (what a host would transform), sorted. */
  taggedFiles(): string[] {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "node_modules") walk(path);
        } else if (/\.[cm]?[jt]sx?$/.test(entry.name) && /@(memo|singleton)\b/.test(readFileSync(path, "utf8"))) found.push(path);
      }
    };
    walk(this.root);
    return found.sort();
  }

  read(path: string): string {
    return readFileSync(path, "utf8");
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const EMITTED_META = /id:\s*["']([^"']+)["'],\s*hash:\s*["']([0-9a-f]+)["']/g;

/** The (id, hash) pairs a host embedded in its output. */
function hashesInOutput(code: string, into: Map<string, string>): void {
  for (const match of code.matchAll(EMITTED_META)) into.set(match[1]!, match[2]!);
}

const require = createRequire(import.meta.url);
const ts = require("typescript") as typeof TS;

function tsProgram(project: Project): TS.Program {
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: false,
    // No lib files: the program only needs to emit, and loading lib.d.ts would dominate the test time.
    noLib: true,
    types: [],
    noResolve: false,
  };
  const config = ts.findConfigFile(project.root, ts.sys.fileExists);
  if (config?.startsWith(project.root)) {
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(config, ts.sys.readFile).config, ts.sys, project.root);
    Object.assign(options, { baseUrl: parsed.options.baseUrl, paths: parsed.options.paths, pathsBasePath: parsed.options.pathsBasePath });
  }
  return ts.createProgram(project.taggedFiles(), options);
}

export const CORE_HOST: Host = {
  name: "core planModule (disk resolver)",
  supportsBuildWideOff: true,
  hashes(project, buildWideOff) {
    const table = new Map<string, string>();
    for (const file of project.taggedFiles()) {
      const plan = planModule(project.read(file), { filename: file, root: project.root, dependencies: !buildWideOff });
      for (const fn of plan.functions) table.set(fn.meta.id, fn.meta.hash);
    }
    return table;
  },
};

/** `CORE_HOST` planning the files back to front, in one process (summaries then come partly from earlier plannings). */
export const REVERSED_CORE_HOST: Host = {
  name: "core planModule, files back to front",
  supportsBuildWideOff: false,
  hashes(project) {
    const table = new Map<string, string>();
    for (const file of project.taggedFiles().reverse()) {
      const plan = planModule(project.read(file), { filename: file, root: project.root, dependencyCache: false });
      for (const fn of plan.functions) table.set(fn.meta.id, fn.meta.hash);
    }
    return table;
  },
};

/** Where `newProcessHost` saves; inside the project, so it goes with it. */
const SAVED_CACHE_FOLDER = ".automemo-cache";

/**
 * `CORE_HOST` as one-shot builds in new processes that share a saved cache
 * folder: each `hashes` starts from empty in-memory caches, so whatever it does not
 * compute comes from the module summaries and plan records earlier builds saved.
 */
export function newProcessHost(name: string, resolver: "disk" | "typescript program"): Host {
  return {
    name,
    supportsBuildWideOff: false,
    hashes(project) {
      clearDependencyCaches();
      const table = new Map<string, string>();
      const program = resolver === "typescript program" ? tsProgram(project) : null;
      const dependencies = program ? createTypeScriptDependencyResolver(ts, program) : true;
      for (const file of project.taggedFiles()) {
        const text = program ? program.getSourceFile(file)!.text : project.read(file);
        const plan = planModule(text, { filename: file, root: project.root, dependencies, dependencyCache: SAVED_CACHE_FOLDER });
        for (const fn of plan.functions) table.set(fn.meta.id, fn.meta.hash);
      }
      // Saves, as the process would at exit.
      clearDependencyCaches();
      return table;
    },
  };
}

const CORE_TS_RESOLVER_HOST: Host = {
  name: "core planModule (TypeScript program resolver)",
  supportsBuildWideOff: false,
  hashes(project) {
    const program = tsProgram(project);
    const resolver = createTypeScriptDependencyResolver(ts, program);
    const table = new Map<string, string>();
    for (const file of project.taggedFiles()) {
      const plan = planModule(program.getSourceFile(file)!.text, { filename: file, root: project.root, dependencies: resolver });
      for (const fn of plan.functions) table.set(fn.meta.id, fn.meta.hash);
    }
    return table;
  },
};

const BUNDLER_HOST: Host = {
  name: "bundlers / Node loader (transformSource)",
  supportsBuildWideOff: true,
  hashes(project, buildWideOff) {
    const table = new Map<string, string>();
    for (const file of project.taggedFiles()) {
      const result = transformSource(project.read(file), { filename: file, root: project.root, dependencies: !buildWideOff });
      if (result) hashesInOutput(result.code, table);
    }
    return table;
  },
};

const BABEL_HOST: Host = {
  name: "Babel 7 plugin (transformSync)",
  supportsBuildWideOff: true,
  hashes(project, buildWideOff) {
    const table = new Map<string, string>();
    for (const file of project.taggedFiles()) {
      const result = babel7.transformSync(project.read(file), {
        babelrc: false,
        configFile: false,
        filename: file,
        plugins: [[automemoBabel, { root: project.root, dependencies: !buildWideOff }]],
        presets: [babelPresetTypescript],
      } as unknown as babel7.InputOptions);
      hashesInOutput(result!.code!, table);
    }
    return table;
  },
};

const TYPESCRIPT_HOST: Host = {
  name: "TypeScript customTransformers (real ts.Program)",
  supportsBuildWideOff: true,
  hashes(project, buildWideOff) {
    const program = tsProgram(project);
    const table = new Map<string, string>();
    const transformer = automemoTransformer(program, { root: project.root, dependencies: !buildWideOff }, ts);
    for (const file of project.taggedFiles()) {
      program.emit(program.getSourceFile(file), (name, text) => {
        if (name.endsWith(".js")) hashesInOutput(text, table);
      }, undefined, false, { before: [transformer] });
    }
    return table;
  },
};

export const HOSTS: readonly Host[] = [CORE_HOST, CORE_TS_RESOLVER_HOST, BUNDLER_HOST, BABEL_HOST, TYPESCRIPT_HOST];

export interface ScenarioRun {
  readonly before: HashTable;
  readonly after: HashTable;
  /** Ids present before and after whose hash differs, sorted. */
  readonly changed: string[];
}

const runs = new Map<string, ScenarioRun>();

/** Runs `scenario` on `host` once per test process (the per-host and the cross-host tests share runs). */
export function runScenario(scenario: Scenario, host: Host): ScenarioRun {
  const key = `${host.name}\u0000${scenario.name}`;
  let run = runs.get(key);
  if (!run) {
    run = runScenarioUncached(scenario, host);
    runs.set(key, run);
  }
  return run;
}

/** Runs `scenario` on `host` now, bypassing the per-process cache of `runScenario`. */
export function runScenarioUncached(scenario: Scenario, host: Host): ScenarioRun {
  const project = new Project(scenario.files);
  try {
    const before = host.hashes(project, scenario.buildWideOff ?? false);
    project.write(scenario.edit);
    const after = host.hashes(project, scenario.buildWideOff ?? false);
    const changed = [...before.keys()].filter((id) => after.has(id) && after.get(id) !== before.get(id)).sort();
    return { before, after, changed };
  } finally {
    project.dispose();
  }
}
