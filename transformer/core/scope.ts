import type { AccessorProperty, Class, MethodDefinition, Program, PropertyDefinition } from "oxc-parser";
import { type FunctionNode, type SyntaxNode, boundNames, forEachChild, isTransparentWrapper } from "./ast.ts";

/**
 * A small lexical scope analysis over ESTree, enough to answer one question: which
 * variables of enclosing function (or block) scopes does a function read? Those
 * values go into the function's cache key, so two closures created with different
 * captured values never share results. Module-level bindings and globals are left
 * out: they are the same for every call.
 *
 * `this` and `arguments` are tracked like variables: non-arrow functions (and class
 * field initializers / static blocks) declare them, so an arrow that reads the
 * `this` of its enclosing method captures it.
 */
type ScopeKind = "program" | "function" | "block";

class Scope {
  readonly names = new Set<string>();
  readonly references: string[] = [];
  readonly children: Scope[] = [];

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | null,
  ) {
    parent?.children.push(this);
  }

  declare(names: Iterable<string>): void {
    for (const name of names) this.names.add(name);
  }

  /** Where `var` lands. */
  hoistTarget(): Scope {
    return this.kind === "block" && this.parent ? this.parent.hoistTarget() : this;
  }
}

export interface ScopeAnalysis {
  /**
   * Names `fn` reads that are declared in a scope enclosing it other than the module
   * scope, sorted, without names starting with `_` and without `exclude`.
   */
  capturedNames(fn: FunctionNode, exclude: ReadonlySet<string>): string[];
  /** Whether non-arrow `fn` reads its own `arguments` (directly or from an arrow inside it). */
  readsOwnArguments(fn: FunctionNode): boolean;
}

/**
 * Scopes are built on demand, one top-level statement at a time: `capturedNames` only
 * looks at scopes inside the function and at the non-module scopes around it, all of
 * which lie inside the top-level statement that holds the function. Which names the
 * module scope itself declares never matters (a module-level name and a global are
 * both left out of keys), so the rest of the program need not be walked.
 */
export function analyzeScopes(program: Program): ScopeAnalysis {
  const functionScopes = new Map<SyntaxNode, Scope>();
  const builtStatements = new Set<SyntaxNode>();
  let builtWholeProgram = false;
  const scopeOf = (fn: FunctionNode): Scope | undefined => {
    const known = functionScopes.get(fn);
    if (known || builtWholeProgram) return known;
    const statement = statementHolding(program.body, fn);
    if (statement && !builtStatements.has(statement)) {
      builtStatements.add(statement);
      new ScopeBuilder(functionScopes).visit(statement, new Scope("program", null));
      const own = functionScopes.get(fn);
      if (own) return own;
    }
    // Not where its range says (or not a statement's descendant at all): walk everything.
    builtWholeProgram = true;
    new ScopeBuilder(functionScopes).visitStatements(program.body, new Scope("program", null));
    return functionScopes.get(fn);
  };
  return {
    capturedNames(fn, exclude) {
      const own = scopeOf(fn);
      if (!own) return [];
      const captured = new Set<string>();
      for (const scope of descendants(own)) {
        for (const name of scope.references) {
          if (name.startsWith("_") || exclude.has(name) || captured.has(name)) continue;
          if (resolvesInside(scope, own, name)) continue;
          let declaring = own.parent;
          while (declaring && !declaring.names.has(name)) declaring = declaring.parent;
          if (declaring && declaring.kind !== "program") captured.add(name);
        }
      }
      return [...captured].sort();
    },
    readsOwnArguments(fn) {
      const own = scopeOf(fn);
      if (!own || fn.type === "ArrowFunctionExpression") return false;
      for (const scope of descendants(own)) {
        if (scope.references.includes("arguments") && declaringScope(scope, "arguments") === own) return true;
      }
      return false;
    },
  };
}

function declaringScope(from: Scope, name: string): Scope | null {
  let scope: Scope | null = from;
  while (scope && !scope.names.has(name)) scope = scope.parent;
  return scope;
}

/** The top-level statement whose range holds `fn`, by binary search (statements are in source order). */
function statementHolding(statements: readonly SyntaxNode[], fn: SyntaxNode): SyntaxNode | undefined {
  let low = 0;
  let high = statements.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (statements[middle].end < fn.end) low = middle + 1;
    else high = middle;
  }
  const candidate = statements[low];
  return candidate && candidate.start <= fn.start && fn.end <= candidate.end ? candidate : undefined;
}

/** The scope and every scope inside it, with an explicit stack (scopes nest as deep as the code). */
function* descendants(scope: Scope): Generator<Scope> {
  const pending = [scope];
  for (let next = pending.pop(); next; next = pending.pop()) {
    yield next;
    for (let index = next.children.length - 1; index >= 0; index--) pending.push(next.children[index]);
  }
}

function resolvesInside(from: Scope, boundary: Scope, name: string): boolean {
  for (let scope: Scope | null = from; scope; scope = scope.parent) {
    if (scope.names.has(name)) return true;
    if (scope === boundary) return false;
  }
  return false;
}

const FUNCTION_IMPLICIT_NAMES = ["this", "arguments"];

class ScopeBuilder {
  constructor(private readonly functionScopes: Map<SyntaxNode, Scope>) {}

  visitStatements(statements: readonly SyntaxNode[], scope: Scope): void {
    for (const statement of statements) this.visit(statement, scope);
  }

  visit(node: SyntaxNode | null | undefined, scope: Scope): void {
    if (!node) return;
    if (isTransparentWrapper(node)) return this.visit(node.expression, scope);
    switch (node.type) {
      case "Identifier":
        scope.references.push(node.name);
        return;
      case "ThisExpression":
        scope.references.push("this");
        return;
      case "FunctionDeclaration":
        if (node.id) scope.declare([node.id.name]);
        return this.visitFunction(node, scope);
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return this.visitFunction(node, scope);
      case "VariableDeclaration": {
        const target = node.kind === "var" ? scope.hoistTarget() : scope;
        for (const declarator of node.declarations) {
          target.declare(boundNames(declarator.id));
          this.visitPatternExpressions(declarator.id, scope);
          this.visit(declarator.init, scope);
        }
        return;
      }
      case "ClassDeclaration":
        if (node.id) scope.declare([node.id.name]);
        return this.visitClass(node, scope);
      case "ClassExpression":
        return this.visitClass(node, scope);
      case "BlockStatement":
        return this.visitStatements(node.body, new Scope("block", scope));
      case "StaticBlock": {
        const inner = new Scope("function", scope);
        inner.declare(FUNCTION_IMPLICIT_NAMES);
        return this.visitStatements(node.body, inner);
      }
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement": {
        const inner = new Scope("block", scope);
        forEachChild(node, (child) => this.visit(child, inner));
        return;
      }
      case "CatchClause": {
        const inner = new Scope("block", scope);
        if (node.param) {
          inner.declare(boundNames(node.param));
          this.visitPatternExpressions(node.param, inner);
        }
        return this.visit(node.body, inner);
      }
      case "MemberExpression":
        this.visit(node.object, scope);
        if (node.computed) this.visit(node.property, scope);
        return;
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition":
      case "AccessorProperty":
        return this.visitMember(node, scope);
      case "LabeledStatement":
        return this.visit(node.body, scope);
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
      case "PrivateIdentifier":
      case "Super":
        return;
      case "ImportDeclaration":
        scope.declare(node.specifiers.map((specifier) => specifier.local.name));
        return;
      case "TSImportEqualsDeclaration":
        scope.declare([node.id.name]);
        return;
      case "ExportNamedDeclaration":
        return this.visit(node.declaration, scope);
      case "ExportDefaultDeclaration":
        return this.visit(node.declaration, scope);
      case "ExportAllDeclaration":
        return;
      case "TSEnumDeclaration":
        scope.declare([node.id.name]);
        return this.visit(node.body, new Scope("block", scope));
      case "TSEnumMember":
        return this.visit(node.initializer, scope);
      case "JSXOpeningElement":
        this.visitJsxName(node.name, scope);
        for (const attribute of node.attributes) this.visit(attribute.type === "JSXAttribute" ? attribute.value : attribute.argument, scope);
        return;
      case "JSXClosingElement":
        return;
    }
    if (node.type.startsWith("TS")) return; // type-level syntax reads no runtime values
    forEachChild(node, (child) => this.visit(child, scope));
  }

  private visitFunction(node: FunctionNode, outer: Scope): void {
    const scope = new Scope("function", outer);
    this.functionScopes.set(node, scope);
    if (node.type !== "ArrowFunctionExpression") {
      scope.declare(FUNCTION_IMPLICIT_NAMES);
      if (node.type === "FunctionExpression" && node.id) scope.declare([node.id.name]);
    }
    for (const param of node.params) {
      scope.declare(boundNames(param));
      this.visitPatternExpressions(param, scope);
    }
    if (node.body?.type === "BlockStatement") this.visitStatements(node.body.body, scope);
    else this.visit(node.body, scope);
  }

  private visitClass(node: Class, scope: Scope): void {
    for (const decorator of node.decorators) this.visit(decorator, scope);
    this.visit(node.superClass, scope);
    for (const member of node.body.body) this.visit(member, scope);
  }

  private visitMember(node: MethodDefinition | PropertyDefinition | AccessorProperty | Extract<SyntaxNode, { type: "Property" }>, scope: Scope): void {
    if (node.type !== "Property") for (const decorator of node.decorators) this.visit(decorator, scope);
    if (node.computed) this.visit(node.key, scope);
    if (node.type === "PropertyDefinition" || node.type === "AccessorProperty") {
      // Field initializers run per instance with `this` bound to it.
      const initializer = new Scope("function", scope);
      initializer.declare(["this"]);
      this.visit(node.value, initializer);
      return;
    }
    this.visit(node.value, scope);
  }

  /** Defaults and computed keys inside a binding pattern are reads; the bound names are not. */
  private visitPatternExpressions(pattern: SyntaxNode | null, scope: Scope): void {
    if (!pattern) return;
    switch (pattern.type) {
      case "AssignmentPattern":
        this.visitPatternExpressions(pattern.left, scope);
        this.visit(pattern.right, scope);
        return;
      case "ObjectPattern":
        for (const property of pattern.properties) {
          if (property.type === "RestElement") this.visitPatternExpressions(property.argument, scope);
          else {
            if (property.computed) this.visit(property.key, scope);
            this.visitPatternExpressions(property.value, scope);
          }
        }
        return;
      case "ArrayPattern":
        for (const element of pattern.elements) this.visitPatternExpressions(element, scope);
        return;
      case "RestElement":
        return this.visitPatternExpressions(pattern.argument, scope);
      case "TSParameterProperty":
        return this.visitPatternExpressions(pattern.parameter, scope);
    }
  }

  private visitJsxName(name: SyntaxNode, scope: Scope): void {
    if (name.type === "JSXIdentifier" && /^[A-Z_$]/.test(name.name)) scope.references.push(name.name);
    else if (name.type === "JSXMemberExpression") this.visitJsxName(name.object, scope);
  }
}
