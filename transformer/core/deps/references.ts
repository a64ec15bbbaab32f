import type { CallExpression, Class, ForInStatement, ForOfStatement, ForStatement, JSXElementName, JSXMemberExpressionObject, MemberExpression, SwitchStatement, TSModuleReference, TSTypeName } from "oxc-parser";
import { type FunctionNode, type SyntaxNode, boundNames, forEachChild, FUNCTION_TYPES, isNode, isTransparentWrapper, unwrapExpression } from "../ast.ts";

/**
 * What a piece of code reads from outside itself, in runtime positions only: types,
 * `import type` and anything under a `TS*` type node are never references, so
 * type-only edits cannot invalidate a cache.
 */
export interface References {
  /**
   * Free names, each with the properties read on it (`ns.load` => `load`), or null
   * when the name is also used as a whole value. Lets `import * as ns` depend only
   * on the exports it reads.
   */
  readonly names: Map<string, Set<string> | null>;
  /** Literal specifiers of `require("x")` and `import("x")`. */
  readonly specifiers: Set<string>;
  /** Property names read on `this` (`this.load()` => `load`). */
  readonly thisMembers: Set<string>;
  /** `this` is used other than for a property read (passed along, spread, ...). */
  readonly usesThisWhole: boolean;
  readonly usesSuper: boolean;
}


/** Free references of `node` (a function, class, declarator or statement). */
export function collectReferences(node: SyntaxNode): References {
  const collector = new ReferenceCollector();
  collector.visit(node);
  return collector.result();
}

/**
 * Names a statement list declares in its own block scope (let/const/class/function,
 * enums, namespaces, imports) and, when `withVar`, the `var`s hoisted to it.
 */
export function lexicalDeclarations(statements: readonly SyntaxNode[], out: Map<string, SyntaxNode | null>): void {
  for (const raw of statements) {
    const statement = raw.type === "ExportNamedDeclaration" || raw.type === "ExportDefaultDeclaration" ? raw.declaration : raw;
    if (!isNode(statement)) continue;
    switch (statement.type) {
      case "VariableDeclaration":
        if (statement.kind !== "var") for (const declarator of statement.declarations) for (const name of boundNames(declarator.id)) out.set(name, declarator);
        break;
      case "FunctionDeclaration":
      case "ClassDeclaration":
      case "TSEnumDeclaration":
        if (statement.id) out.set(statement.id.name, statement);
        break;
      case "TSModuleDeclaration":
        if (statement.id?.type === "Identifier") out.set(statement.id.name, statement);
        break;
      case "ImportDeclaration":
        for (const specifier of statement.specifiers) out.set(specifier.local.name, null);
        break;
      case "TSImportEqualsDeclaration":
        out.set(statement.id.name, statement);
        break;
    }
  }
}

/** `var` declarators anywhere in a function body, not inside nested functions. */
export function hoistedVars(node: SyntaxNode, out: Map<string, SyntaxNode | null>): void {
  // Two callbacks per call, not one per node visited: this walks every function body.
  const visit = (current: SyntaxNode): void => {
    if (current.type === "VariableDeclaration" && current.kind === "var") {
      for (const declarator of current.declarations) for (const name of boundNames(declarator.id)) if (!out.has(name)) out.set(name, declarator);
    }
    forEachChild(current, enter);
  };
  const enter = (child: SyntaxNode): void => {
    if (!FUNCTION_TYPES.has(child.type) && !child.type.startsWith("Class") && !child.type.startsWith("TS")) visit(child);
  };
  visit(node);
}

/** Names a function declares for its body: parameters (values, so null), its own name, hoisted vars. */
export function functionDeclarations(fn: FunctionNode): Map<string, SyntaxNode | null> {
  const names = new Map<string, SyntaxNode | null>();
  for (const param of fn.params) for (const name of boundNames(param)) names.set(name, null);
  if (fn.type === "FunctionExpression" && fn.id) names.set(fn.id.name, null);
  if (fn.body?.type === "BlockStatement") {
    hoistedVars(fn.body, names);
    lexicalDeclarations(fn.body.body, names);
  }
  return names;
}

class ReferenceCollector {
  private readonly scopes: Set<string>[] = [];
  private readonly names = new Map<string, Set<string> | null>();
  private readonly specifiers = new Set<string>();
  private readonly thisMembers = new Set<string>();
  private usesThisWhole = false;
  private usesSuper = false;
  /** One callback for every `forEachChild` of the walk. */
  private readonly visitChild = (child: SyntaxNode): void => this.visit(child);

  result(): References {
    const { names, specifiers, thisMembers, usesThisWhole, usesSuper } = this;
    return { names, specifiers, thisMembers, usesThisWhole, usesSuper };
  }

  visit(node: SyntaxNode | null | undefined): void {
    if (!node) return;
    if (isTransparentWrapper(node)) return this.visit(node.expression);
    switch (node.type) {
      case "Identifier":
        return this.use(node.name, null);
      case "ThisExpression":
        this.usesThisWhole = true;
        return;
      case "Super":
        this.usesSuper = true;
        return;
      case "MemberExpression":
        return this.visitMember(node);
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return this.visitFunction(node);
      case "ClassDeclaration":
      case "ClassExpression":
        return this.visitClass(node);
      case "BlockStatement":
      case "StaticBlock":
      case "Program":
      case "TSModuleBlock":
        return this.visitBlock(node.body);
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement":
        return this.withScope(this.loopNames(node), () => forEachChild(node, this.visitChild));
      case "CatchClause":
        return this.withScope(new Set(boundNames(node.param)), () => {
          this.visitPattern(node.param);
          this.visit(node.body);
        });
      case "VariableDeclaration":
        for (const declarator of node.declarations) {
          this.visitPattern(declarator.id);
          this.visit(declarator.init);
        }
        return;
      case "VariableDeclarator":
        this.visitPattern(node.id);
        return this.visit(node.init);
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition":
      case "AccessorProperty":
        if ("decorators" in node) for (const decorator of node.decorators ?? []) this.visit(decorator);
        if (node.computed) this.visit(node.key);
        return this.visit(node.value);
      case "CallExpression":
        this.recordRequire(node);
        break;
      case "ImportExpression":
        if (node.source?.type === "Literal" && typeof node.source.value === "string") this.specifiers.add(node.source.value);
        break;
      case "LabeledStatement":
        return this.visit(node.body);
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
      case "PrivateIdentifier":
      case "ImportDeclaration":
      case "ExportAllDeclaration":
        return;
      case "ExportNamedDeclaration":
        // `export { a as b }` reads `a` only when it is not a re-export from another module.
        if (!node.source && node.exportKind !== "type") for (const specifier of node.specifiers) this.visit(specifier.local);
        return this.visit(node.declaration);
      case "TSEnumDeclaration":
        return this.withScope(new Set([node.id.name]), () => {
          for (const member of node.body.members) this.visit(member.initializer);
        });
      case "TSModuleDeclaration":
        return this.visit(node.body);
      case "TSParameterProperty":
        return this.visitPattern(node.parameter);
      case "TSExportAssignment":
        return this.visit(node.expression);
      case "TSImportEqualsDeclaration":
        return this.visitModuleReference(node.moduleReference);
      case "JSXOpeningElement":
        this.visitJsxName(node.name);
        for (const attribute of node.attributes) this.visit(attribute.type === "JSXAttribute" ? attribute.value : attribute.argument);
        return;
      case "JSXClosingElement":
        return;
    }
    if (node.type.startsWith("TS")) return;
    forEachChild(node, this.visitChild);
  }

  private use(name: string, member: string | null): void {
    if (this.isDeclared(name)) return;
    const seen = this.names.get(name);
    if (seen === null) return;
    if (member === null) this.names.set(name, null);
    else if (seen) seen.add(member);
    else this.names.set(name, new Set([member]));
  }

  private visitMember(node: MemberExpression): void {
    const object = unwrapExpression(node.object)!;
    const property = !node.computed && node.property.type === "Identifier" ? node.property.name : null;
    if (property !== null && object.type === "Identifier") this.use(object.name, property);
    else if (property !== null && object.type === "ThisExpression") this.thisMembers.add(property);
    else this.visit(object);
    if (node.computed) this.visit(node.property);
  }

  private visitFunction(node: FunctionNode): void {
    const declared = new Set(functionDeclarations(node).keys());
    if (node.type !== "ArrowFunctionExpression") declared.add("arguments");
    this.withScope(declared, () => {
      for (const param of node.params) this.visitPattern(param);
      if (node.body?.type === "BlockStatement") for (const statement of node.body.body) this.visit(statement);
      else this.visit(node.body);
    });
  }

  private visitClass(node: Class): void {
    for (const decorator of node.decorators ?? []) this.visit(decorator);
    this.visit(node.superClass);
    // A class expression's own name is visible only inside it.
    const inner = node.type === "ClassExpression" && node.id ? new Set([node.id.name]) : new Set<string>();
    this.withScope(inner, () => {
      for (const member of node.body.body) this.visit(member);
    });
  }

  private visitBlock(statements: readonly SyntaxNode[]): void {
    const declared = new Map<string, SyntaxNode | null>();
    lexicalDeclarations(statements, declared);
    this.withScope(new Set(declared.keys()), () => {
      for (const statement of statements) this.visit(statement);
    });
  }

  private loopNames(node: ForStatement | ForInStatement | ForOfStatement | SwitchStatement): Set<string> {
    const declared = new Map<string, SyntaxNode | null>();
    if (node.type === "SwitchStatement") {
      lexicalDeclarations(node.cases.flatMap((item) => item.consequent), declared);
    } else {
      const head = node.type === "ForStatement" ? node.init : node.left;
      if (head?.type === "VariableDeclaration") for (const declarator of head.declarations) for (const name of boundNames(declarator.id)) declared.set(name, null);
    }
    return new Set(declared.keys());
  }

  /** In a binding pattern, defaults and computed keys are reads; the bound names are not. */
  private visitPattern(pattern: SyntaxNode | null | undefined): void {
    if (!pattern) return;
    switch (pattern.type) {
      case "AssignmentPattern":
        this.visitPattern(pattern.left);
        return this.visit(pattern.right);
      case "ObjectPattern":
        for (const property of pattern.properties) {
          if (property.type === "RestElement") this.visitPattern(property.argument);
          else {
            if (property.computed) this.visit(property.key);
            this.visitPattern(property.value);
          }
        }
        return;
      case "ArrayPattern":
        for (const element of pattern.elements) this.visitPattern(element);
        return;
      case "RestElement":
        return this.visitPattern(pattern.argument);
      case "TSParameterProperty":
        return this.visitPattern(pattern.parameter);
    }
    if ("decorators" in pattern) for (const decorator of pattern.decorators ?? []) this.visit(decorator);
  }

  private recordRequire(node: CallExpression): void {
    const [argument] = node.arguments;
    if (node.callee.type !== "Identifier" || node.callee.name !== "require" || this.isDeclared("require")) return;
    if (argument?.type === "Literal" && typeof argument.value === "string") this.specifiers.add(argument.value);
  }

  private visitModuleReference(reference: TSModuleReference): void {
    if (reference.type === "TSExternalModuleReference") {
      if (typeof reference.expression?.value === "string") this.specifiers.add(reference.expression.value);
      return;
    }
    // `import x = A.B.C` reads `A`.
    let root: TSTypeName = reference;
    while (root.type === "TSQualifiedName") root = root.left;
    if (root.type === "Identifier") this.use(root.name, null);
  }

  private visitJsxName(name: JSXElementName): void {
    if (name.type === "JSXIdentifier" && /^[A-Z_$]/.test(name.name)) this.use(name.name, null);
    else if (name.type === "JSXMemberExpression") {
      let root: JSXMemberExpressionObject = name;
      while (root.type === "JSXMemberExpression") root = root.object;
      if (root.type === "JSXIdentifier") this.use(root.name, null);
    }
  }

  /** Declared in a scope inside the code being collected (a plain loop: this runs for every identifier). */
  private isDeclared(name: string): boolean {
    for (const scope of this.scopes) if (scope.has(name)) return true;
    return false;
  }

  private withScope(names: Set<string>, body: () => void): void {
    this.scopes.push(names);
    try {
      body();
    } finally {
      this.scopes.pop();
    }
  }
}
