import { posix } from "node:path";
import type { ModuleExportName, Program } from "oxc-parser";
import { type SyntaxNode, boundNames } from "../ast.ts";
import { CodeHasher } from "../hash.ts";
import { type ParsedModule, parseModule } from "../parse.ts";
import { collectReferences, type References } from "./references.ts";

/**
 * Stage 1, the summary: what dependency tracking needs from one file's text, and
 * nothing else. Per module-level binding: the hash of its own code and the names it
 * reads; for the file: its imports, exports and `export *` specifiers. A pure
 * function of the text, so it is cached by the text's key (`textKeyOf`) in memory
 * and on disk (`store.ts`), and a later build that meets the same text never parses
 * it again.
 */

export interface ImportedBinding {
  readonly specifier: string;
  /** Export name, `default`, or `*` for a namespace import. */
  readonly imported: string;
}

export type ExportEntry = { readonly local: string } | ImportedBinding;

/** A module-level binding as the graph sees it. */
export interface BindingSummary {
  /** Hash of the binding's own code (with the loose statements that mention it); never of what it reads. */
  readonly own: string;
  /** Free names read, each with the properties read on it (null: used whole). */
  readonly names: ReadonlyMap<string, ReadonlySet<string> | null>;
  /** `require("x")` / `import("x")` specifiers. */
  readonly specifiers: ReadonlySet<string>;
}

/** Where a binding's code is, while the syntax tree is at hand (one planning, or one summarizing). */
export interface BindingSource {
  readonly program: Program;
  readonly declarations: ReadonlyMap<string, SyntaxNode>;
  /** Loose statements (`cache.set(...)`, `Foo.prototype.x = ...`) by the bindings they mention: they may change them. */
  readonly attached: ReadonlyMap<string, readonly SyntaxNode[]>;
  /** `const` / `let` / `var` of variable bindings: part of their code. */
  readonly kinds: ReadonlyMap<string, string>;
}

const CODE_FILE = /\.[cm]?[jt]sx?$/;

/**
 * One file's summary. A dependency read summarizes every binding at once and lets the
 * tree go; the planned module's summary is filled from the planner's tree, as its
 * functions reach bindings and then completely when the planning finishes (`complete`),
 * so no later planning needs that tree again.
 */
export class ModuleSummary {
  readonly names = new Set<string>();
  readonly imports = new Map<string, ImportedBinding>();
  readonly exports = new Map<string, ExportEntry>();
  /** `export * from "x"` specifiers, in source order. */
  readonly starExports: string[] = [];
  readonly bindings = new Map<string, BindingSummary>();
  /** The whole file as one unit (CommonJS, assets, unparsable files): its hash and what it loads. */
  whole: { readonly hash: string; readonly specifiers: ReadonlySet<string> } | null = null;
  /** Every binding is summarized (and `whole` set): nothing more can be learned from the text. */
  isComplete = false;
  /** Something was added since the summary was loaded or saved (`store.ts`). */
  changed = false;
  /** The parse of a tagged file read as a dependency, until the planner takes it (`BuildSession.takeParse`). */
  parseForPlanner: ParsedModule | null = null;
  private relativeRoot: string | null = null;
  private relative = "";

  constructor(
    readonly path: string,
    readonly text: string,
    readonly textKey: string,
    /** The file has import/export syntax; a CommonJS file counts as one unit. */
    readonly isEsm: boolean,
  ) {}

  /** The summary of a file read as a dependency (not code, unparsable, or parsed and summarized whole). */
  static ofText(path: string, text: string, textKey: string, program?: Program): ModuleSummary {
    if (!CODE_FILE.test(path) || path.endsWith(".d.ts")) return ModuleSummary.opaque(path, text, textKey);
    if (!program) {
      const parsed = parseModule(text, path, path);
      if (parsed.diagnostics.length > 0) return ModuleSummary.opaque(path, text, textKey);
      program = parsed.program;
    }
    const { summary, source } = ModuleSummary.ofProgram(path, text, textKey, program);
    summary.complete(source);
    return summary;
  }

  /** The planned module's summary: names, imports and exports now; bindings as asked (`binding(name, source)`). */
  static ofProgram(path: string, text: string, textKey: string, program: Program): { summary: ModuleSummary; source: BindingSource } {
    const summary = new ModuleSummary(path, text, textKey, hasModuleSyntax(program));
    return { summary, source: summary.index(program) };
  }

  /** Not JavaScript / TypeScript, or not parsable: one unit hashed by its text. */
  private static opaque(path: string, text: string, textKey: string): ModuleSummary {
    const summary = new ModuleSummary(path, text, textKey, false);
    summary.whole = { hash: new CodeHasher().add(text).digest(), specifiers: new Set() };
    summary.isComplete = true;
    return summary;
  }

  /** The summary of binding `name` (which `names` has), from `source` when given, else from the text. */
  binding(name: string, source?: BindingSource): BindingSummary {
    let binding = this.bindings.get(name);
    if (binding) return binding;
    if (!source) {
      this.complete();
      return this.bindings.get(name)!;
    }
    const declaration = source.declarations.get(name)!;
    const hasher = new CodeHasher().add(source.kinds.get(name) ?? "").addNode(declaration);
    const references = collectReferences(declaration);
    for (const statement of source.attached.get(name) ?? []) {
      hasher.addNode(statement);
      mergeReferences(references, collectReferences(statement));
    }
    binding = { own: hasher.digest(), names: references.names, specifiers: references.specifiers };
    this.bindings.set(name, binding);
    this.changed = true;
    return binding;
  }

  /** The whole file as one unit (when it is CommonJS, or a namespace of it is read whole). */
  wholeFile(source?: BindingSource): NonNullable<ModuleSummary["whole"]> {
    if (!this.whole) {
      const program = (source ?? this.reparse()).program;
      const specifiers = collectReferences(program).specifiers;
      for (const imported of this.imports.values()) specifiers.add(imported.specifier);
      this.whole = { hash: new CodeHasher().addNode(program).digest(), specifiers };
      this.changed = true;
    }
    return this.whole;
  }

  /** The project-relative path qualified names use (memoized for the last root asked). */
  relativePath(root: string): string {
    if (this.relativeRoot !== root) {
      this.relativeRoot = root;
      this.relative = posix.relative(root, this.path) || posix.basename(this.path);
    }
    return this.relative;
  }

  /** Summarizes every binding not summarized yet, from `source` (a tree of this text) or a fresh parse. */
  complete(source?: BindingSource): void {
    if (this.isComplete) return;
    source ??= this.reparse();
    for (const name of this.names) this.binding(name, source);
    this.wholeFile(source);
    this.isComplete = true;
  }

  /** Where the bindings of this text are in `program` (a tree of this same text). */
  sourceOf(program: Program): BindingSource {
    return new ModuleSummary(this.path, this.text, this.textKey, this.isEsm).index(program);
  }

  /** The tree of this same text again (the planned module's is gone). */
  private reparse(): BindingSource {
    return this.sourceOf(parseModule(this.text, this.path, this.path).program);
  }

  /** Reads names, imports and exports off the top level; returns where each binding's code is. */
  private index(program: Program): BindingSource {
    const declarations = new Map<string, SyntaxNode>();
    const kinds = new Map<string, string>();
    const attached = new Map<string, SyntaxNode[]>();
    const declare = (name: string, node: SyntaxNode): void => {
      declarations.set(name, node);
      this.names.add(name);
    };
    /** Registers a declaration statement; false for statements that declare nothing at run time. */
    const declareStatement = (statement: SyntaxNode): boolean => {
      switch (statement.type) {
        case "VariableDeclaration":
          for (const declarator of statement.declarations) {
            for (const name of boundNames(declarator.id)) {
              declare(name, declarator);
              kinds.set(name, statement.kind);
            }
          }
          return true;
        case "FunctionDeclaration":
        case "ClassDeclaration":
        case "TSEnumDeclaration":
          if (statement.id) declare(statement.id.name, statement);
          return true;
        case "TSModuleDeclaration":
          if (statement.id?.type === "Identifier") declare(statement.id.name, statement);
          return true;
        case "TSImportEqualsDeclaration":
          if (statement.importKind !== "type") declare(statement.id.name, statement);
          return true;
        case "TSDeclareFunction":
        case "TSInterfaceDeclaration":
        case "TSTypeAliasDeclaration":
        case "EmptyStatement":
          return true;
        default:
          return false;
      }
    };
    const loose: SyntaxNode[] = [];
    for (const statement of program.body) {
      switch (statement.type) {
        case "ImportDeclaration":
          if (statement.importKind === "type") break;
          for (const specifier of statement.specifiers) {
            if (specifier.type === "ImportSpecifier" && specifier.importKind === "type") continue;
            const imported = specifier.type === "ImportNamespaceSpecifier" ? "*" : specifier.type === "ImportDefaultSpecifier" ? "default" : exportName(specifier.imported);
            this.imports.set(specifier.local.name, { specifier: statement.source.value, imported });
          }
          break;
        case "ExportNamedDeclaration": {
          if (statement.exportKind === "type") break;
          const declaration = statement.declaration;
          if (declaration) {
            declareStatement(declaration);
            const names = declaration.type === "VariableDeclaration" ? declaration.declarations.flatMap((declarator) => boundNames(declarator.id)) : declaration.id?.type === "Identifier" ? [declaration.id.name] : [];
            for (const name of names) if (declarations.has(name)) this.exports.set(name, { local: name });
            break;
          }
          for (const specifier of statement.specifiers) {
            if (specifier.exportKind === "type") continue;
            const local = exportName(specifier.local);
            this.exports.set(exportName(specifier.exported), statement.source ? { specifier: statement.source.value, imported: local } : { local });
          }
          break;
        }
        case "ExportDefaultDeclaration": {
          const declaration = statement.declaration;
          if ((declaration.type === "FunctionDeclaration" || declaration.type === "ClassDeclaration") && declaration.id) {
            declareStatement(declaration);
            this.exports.set("default", { local: declaration.id.name });
          } else if (!declaration.type.startsWith("TSInterface")) {
            // `export default <expression>`: the expression is an anonymous binding of its own.
            declare("*default*", statement);
            this.exports.set("default", { local: "*default*" });
          }
          break;
        }
        case "ExportAllDeclaration":
          if (statement.exportKind === "type") break;
          if (statement.exported) this.exports.set(exportName(statement.exported), { specifier: statement.source.value, imported: "*" });
          else this.starExports.push(statement.source.value);
          break;
        default:
          if (!declareStatement(statement)) loose.push(statement);
      }
    }
    for (const statement of loose) {
      for (const name of collectReferences(statement).names.keys()) {
        if (!declarations.has(name)) continue;
        const list = attached.get(name);
        if (list) list.push(statement);
        else attached.set(name, [statement]);
      }
    }
    return { program, declarations, attached, kinds };
  }
}

function exportName(node: ModuleExportName): string {
  return node.type === "Literal" ? String(node.value) : node.name;
}

function hasModuleSyntax(program: Program): boolean {
  return program.body.some((statement) => statement.type.startsWith("Import") || statement.type.startsWith("Export") || statement.type === "TSExportAssignment");
}

function mergeReferences(into: References, from: References): void {
  for (const [name, members] of from.names) {
    const existing = into.names.get(name);
    if (existing === null) continue;
    if (members === null || existing === undefined) into.names.set(name, members && new Set(members));
    else for (const member of members) existing.add(member);
  }
  for (const specifier of from.specifiers) into.specifiers.add(specifier);
}
