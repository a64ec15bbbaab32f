import type { ParsedModule } from "../parse.ts";
import { parseModule } from "../parse.ts";
import { mightContainTags } from "../tags.ts";
import type { DependencyNode } from "./digests.ts";
import { Resolutions } from "./resolution.ts";
import type { DependencyResolver } from "./resolver.ts";
import { type BindingSource, ModuleSummary } from "./summary.ts";
import { type SummaryCache, textKeyOf } from "./store.ts";

const CODE_FILE = /\.[cm]?[jt]sx?$/;

/**
 * What the plannings of one build share, passed down explicitly: each dependency
 * file is read and summarized once, each import resolved once, each module-level
 * node hashed once, and each saved fact set checked once. It holds no syntax tree.
 */
export class BuildSession {
  readonly resolutions: Resolutions;
  /** Module-level nodes already hashed, for the versions of files this session reads. */
  readonly digests = new DigestMemo();
  /** Saved fact sets already checked in this session, by id (`plan-records.ts`). */
  readonly factChecks = new Map<string, boolean>();
  /** Modules planned in this session: planning one again means a rebuild (see `index.ts`). */
  readonly planned = new Set<string>();
  private readonly files = new Map<string, ModuleSummary | null>();
  /** Text keys of files a plan record was checked against, without reading them further. */
  private readonly textKeys = new Map<string, string>();

  constructor(
    readonly resolver: DependencyResolver,
    readonly root: string,
    readonly summaries: SummaryCache,
  ) {
    this.resolutions = new Resolutions(resolver);
  }

  /** The version of `path` this session uses (null: unreadable), read and summarized once. */
  file(path: string): ModuleSummary | null {
    let summary = this.files.get(path);
    if (summary === undefined) {
      summary = this.read(path);
      this.files.set(path, summary);
    }
    return summary;
  }

  /** The key of `path`'s text as this session reads it ("" when unreadable), without summarizing it. */
  textKeyOf(path: string): string {
    const summary = this.files.get(path);
    if (summary !== undefined) return summary?.textKey ?? "";
    let key = this.textKeys.get(path);
    if (key === undefined) {
      const text = this.readText(path);
      key = text === undefined ? "" : textKeyOf(text);
      this.textKeys.set(path, key);
    }
    return key;
  }

  /** The parse of a tagged file read earlier as a dependency, if it is of this text (taken once). */
  takeParse(path: string, text: string, textKey: string): ParsedModule | undefined {
    const summary = this.summaries.get(path, text, textKey);
    const parsed = summary?.parseForPlanner ?? undefined;
    if (summary) summary.parseForPlanner = null;
    return parsed;
  }

  /**
   * The summary of the module being planned (the host's text, which may differ from
   * the disk), and where its bindings are in the planner's tree.
   */
  plannedModule(path: string, text: string, textKey: string, program: ParsedModule["program"]): { summary: ModuleSummary; source: BindingSource } {
    const known = this.summaries.get(path, text, textKey);
    if (known) return { summary: known, source: known.sourceOf(program) };
    const planned = ModuleSummary.ofProgram(path, text, textKey, program);
    this.summaries.put(planned.summary, false);
    return planned;
  }

  private readText(path: string): string | undefined {
    try {
      return this.resolver.readFile(path);
    } catch {
      return undefined;
    }
  }

  private read(path: string): ModuleSummary | null {
    const text = this.readText(path);
    if (text === undefined) return null;
    // Every planning without a host session reads its dependencies again: a text known in memory is not hashed again.
    let summary = this.summaries.ofText(path, text);
    const textKey = summary?.textKey ?? this.textKeys.get(path) ?? textKeyOf(text);
    summary ??= this.summaries.get(path, text, textKey);
    if (!summary) {
      // A tagged file will be planned: its parse is kept with its summary for the planner,
      // which takes it (so the file is parsed once, even if a new session plans it).
      const parsed = mightContainTags(text) && CODE_FILE.test(path) ? parseModule(text, path, path) : undefined;
      const clean = parsed && parsed.diagnostics.length === 0 ? parsed : undefined;
      summary = ModuleSummary.ofText(path, text, textKey, clean?.program);
      summary.parseForPlanner = clean ?? null;
    }
    // Only disk texts are saved: a host's text that differs from the file would replace
    // the summary a dependency read needs, and back again, build after build.
    this.summaries.put(summary, true);
    return summary;
  }
}

/**
 * Hashed module-level nodes by the summary they belong to. A node's digest also
 * depends on the files it reaches, so the session's memo is used only by plannings
 * that see every file as the session does (see `graph.ts`).
 */
export class DigestMemo {
  private readonly bindings = new Map<ModuleSummary, Map<string, DependencyNode>>();
  private readonly wholeFiles = new Map<ModuleSummary, DependencyNode>();

  binding(module: ModuleSummary, name: string): DependencyNode | undefined {
    return this.bindings.get(module)?.get(name);
  }

  rememberBinding(module: ModuleSummary, name: string, node: DependencyNode): void {
    let byName = this.bindings.get(module);
    if (!byName) this.bindings.set(module, (byName = new Map()));
    byName.set(name, node);
  }

  wholeFile(module: ModuleSummary): DependencyNode | undefined {
    return this.wholeFiles.get(module);
  }

  rememberWholeFile(module: ModuleSummary, node: DependencyNode): void {
    this.wholeFiles.set(module, node);
  }
}
