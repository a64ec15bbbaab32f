import type { Decorator, Function as FunctionLike, MethodDefinition, ObjectProperty, Program } from "oxc-parser";
import { type AstComment, type FunctionNode, type FunctionWithBody, type SyntaxNode, forEachChild, hasBody, isFunctionNode, propertyKeyName, unwrapExpression } from "./ast.ts";
import { enclosingSegments, nameSegment } from "./names.ts";
import { holdsOffset } from "./offsets.ts";
import type { PlanDiagnostic, SourceRange } from "./plan.ts";
import { type CommentTags, type FoundTag, isJsDoc, readCommentTags, TAG_PATTERN } from "./tags.ts";

/** A function whose leading JSDoc carries a cache tag, with what the planner needs to name and key it. */
export interface AnnotatedFunction {
  readonly tag: FoundTag;
  readonly fn: FunctionWithBody;
  /** The node the comment leads (export, declaration, method, property): diagnostics point at it. */
  readonly holder: SyntaxNode;
  readonly qualifiedName: string;
  /** Name of the function itself, as hashed. */
  readonly ownName: string;
  /** Non-static class member: `this` is part of the key. */
  readonly isInstanceMember: boolean;
  /** Where `handle.bindFunction(name)` can go: after the handles (hoisted declarations) or after the declaration statement. */
  readonly binding: { readonly name: string; readonly insertAt: "preamble" | number } | null;
  /** Names that refer to the function or its class, never closure captures. */
  readonly selfNames: ReadonlySet<string>;
  /** Decorators of the class member holding the function (hashed with it). */
  readonly decorators: readonly Decorator[];
  /** A function declaration directly in a statement list (or in an export there): a sibling declaration can go beside it. */
  readonly inStatementList: boolean;
}

export interface FoundAnnotations {
  readonly functions: readonly AnnotatedFunction[];
  readonly diagnostics: PlanDiagnostic[];
  /** The walk saw `require(...)`, `module.exports` or `exports.x`. */
  readonly usesCommonJs: boolean;
}

const STATEMENT_LIST_PARENTS = new Set(["Program", "BlockStatement", "StaticBlock", "TSModuleBlock", "SwitchCase"]);

/** What the holder says about a function beyond the function node itself. */
interface FunctionFacts {
  /** Non-static class member. */
  readonly isInstanceMember?: boolean;
  /** The statement that declares it (for `bindFunction`). */
  readonly statement?: SyntaxNode | null;
  /** The binding that names it (declaration or variable). */
  readonly selfName?: string | null;
  /** Decorators of the class member, part of its code hash. */
  readonly decorators?: readonly Decorator[];
  /** The method/property holding the function: diagnostics point at its header. */
  readonly member?: SyntaxNode;
}

type Resolution =
  | ({ ok: true; fn: FunctionWithBody; ownName: string } & Required<Omit<FunctionFacts, "member">>)
  | { ok: false; code: string; message: string; range: SourceRange };

export interface FindOptions {
  /**
   * Also report whether the module uses CommonJS (`usesCommonJs`). That needs a walk
   * of the whole program; without it only the nodes around the tags are visited, so
   * callers that already know the module format should pass false. Default true.
   */
  readonly detectCommonJs?: boolean;
}

/** Finds every tagged JSDoc comment and the function it leads; misuse becomes a diagnostic. */
export function findAnnotatedFunctions(
  program: Program,
  comments: readonly AstComment[],
  source: string,
  { detectCommonJs = true }: FindOptions = {},
): FoundAnnotations {
  const diagnostics: PlanDiagnostic[] = [];
  /** Tags by the offset of the first token after their comment. */
  const tagged = new Map<number, FoundTag>();
  for (const comment of comments) {
    if (!isJsDoc(comment) || !TAG_PATTERN.test(comment.value)) continue;
    const read = readCommentTags(source, comment);
    diagnostics.push(...read.problems);
    const tag = pickTag(read, diagnostics);
    if (tag) tagged.set(skipWhitespace(source, comment.end), tag);
  }

  const functions: AnnotatedFunction[] = [];
  const claimedFunctions = new Set<FunctionWithBody>();
  let usesCommonJs = false;
  const ancestors: SyntaxNode[] = [];
  // A tag attaches to the first node, in pre-order, that starts where its comment's
  // next token does; every such node lies inside each of its ancestors' ranges, so a
  // subtree whose range holds no tag offset can be skipped without changing the result.
  const offsets = [...tagged.keys()].sort((a, b) => a - b);
  const holdsTagOffset = (node: SyntaxNode): boolean => holdsOffset(offsets, node.start, node.end);
  let pruning = !detectCommonJs;
  /** Handles one node; false skips its subtree. */
  const visit = (node: SyntaxNode): boolean => {
    if (pruning && !holdsTagOffset(node)) return false;
    const tag = tagged.get(node.start);
    if (tag) {
      tagged.delete(node.start);
      // `@decorator /** @memo */ method() {}`: the comment leads the key; the member holds the function.
      const member = ancestors[ancestors.length - 1];
      const leadsMemberKey = (member?.type === "MethodDefinition" || member?.type === "PropertyDefinition") && member.key === node;
      const holder = leadsMemberKey ? member : node;
      const holderAncestors = leadsMemberKey ? ancestors.slice(0, -1) : ancestors;
      const resolution = resolve(holder, holderAncestors, source);
      const kind = tag.kind;
      if (!resolution.ok) {
        diagnostics.push({ code: resolution.code, message: resolution.message.replaceAll("@TAG", `@${kind}`), range: resolution.range });
      } else if (claimedFunctions.has(resolution.fn)) {
        diagnostics.push({
          code: "AUTOMEMO_DUPLICATE_TAG",
          message: `[automemo] '${resolution.ownName}' is tagged twice (on an overload signature and on its implementation). Keep one tag.`,
          range: tag.range,
        });
      } else {
        claimedFunctions.add(resolution.fn);
        functions.push(toAnnotated(tag, holder, resolution, holderAncestors, source));
      }
    }
    if (!usesCommonJs && isCommonJsSignal(node)) usesCommonJs = true;
    return true;
  };
  walkPreOrder(program, ancestors, visit);
  if (pruning && tagged.size > 0) {
    // A tag that found no function is about to become an error: confirm it with a full
    // walk, in case some node lies outside its parent's range.
    pruning = false;
    walkPreOrder(program, ancestors, visit);
  }

  for (const [at, tag] of tagged) {
    diagnostics.push({
      code: "AUTOMEMO_NOT_A_FUNCTION",
      message: `[automemo] @${tag.kind} must be in the JSDoc comment directly before a function, but nothing it can attach to follows it${at >= source.length ? " (end of file)" : ""}. Move the tag into the JSDoc right before a function declaration, a const/let/var holding a function or arrow, a class method, or an object method.`,
      range: tag.range,
    });
  }
  functions.sort((a, b) => a.fn.start - b.fn.start);
  return { functions, diagnostics, usesCommonJs };
}

/**
 * Calls `visit` on every node in pre-order (children in source order) with `ancestors`
 * holding the path from the root, using an explicit stack so that code nested as deep
 * as it likes never deepens ours. `visit` returning false skips the node's subtree.
 */
function walkPreOrder(root: SyntaxNode, ancestors: SyntaxNode[], visit: (node: SyntaxNode) => boolean): void {
  const nodes: SyntaxNode[] = [root];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    ancestors.length = depth;
    if (!visit(node)) continue;
    ancestors.push(node);
    const firstChild = nodes.length;
    forEachChild(node, (child) => {
      nodes.push(child);
      depths.push(depth + 1);
    });
    // Pushed in source order; reversed so they pop in source order.
    for (let low = firstChild, high = nodes.length - 1; low < high; low++, high--) {
      [nodes[low], nodes[high]] = [nodes[high], nodes[low]];
    }
  }
  ancestors.length = 0;
}

function pickTag(read: CommentTags, diagnostics: PlanDiagnostic[]): FoundTag | null {
  const [first, second] = read.tags;
  if (!first) return null;
  if (second) {
    const both = first.kind !== second.kind;
    diagnostics.push({
      code: both ? "AUTOMEMO_BOTH_TAGS" : "AUTOMEMO_DUPLICATE_TAG",
      message: both
        ? "[automemo] A function can be @memo or @singleton, not both. Keep @memo for plain-data results (returned as fresh copies) or @singleton for one shared live object."
        : `[automemo] @${first.kind} appears twice in one JSDoc comment. Keep one tag (with its options).`,
      range: second.range,
    });
    return null;
  }
  return first;
}

function skipWhitespace(source: string, from: number): number {
  let index = from;
  while (index < source.length && /\s/.test(source[index])) index++;
  return index;
}

function isCommonJsSignal(node: SyntaxNode): boolean {
  if (node.type === "CallExpression") return node.callee.type === "Identifier" && node.callee.name === "require";
  if (node.type !== "MemberExpression" || node.object.type !== "Identifier") return false;
  return (node.object.name === "module" && node.property.type === "Identifier" && node.property.name === "exports") || node.object.name === "exports";
}

function toAnnotated(
  tag: FoundTag,
  holder: SyntaxNode,
  resolution: Extract<Resolution, { ok: true }>,
  ancestors: readonly SyntaxNode[],
  source: string,
): AnnotatedFunction {
  const prefix = enclosingSegments(ancestors, source);
  const selfNames = new Set<string>();
  if (resolution.selfName) selfNames.add(resolution.selfName);
  for (const ancestor of ancestors) {
    if ((ancestor.type === "ClassDeclaration" || ancestor.type === "ClassExpression") && ancestor.id) selfNames.add(ancestor.id.name);
  }
  return {
    tag,
    fn: resolution.fn,
    holder,
    qualifiedName: [...prefix, resolution.ownName].join("."),
    ownName: resolution.ownName,
    isInstanceMember: resolution.isInstanceMember,
    binding: bindingOf(resolution, ancestors),
    selfNames,
    decorators: resolution.decorators,
    inStatementList: resolution.fn.type === "FunctionDeclaration" && declaredInStatementList(ancestors),
  };
}

function declaredInStatementList(ancestors: readonly SyntaxNode[]): boolean {
  const parent = ancestors[ancestors.length - 1];
  const list = parent?.type.startsWith("Export") ? ancestors[ancestors.length - 2] : parent;
  return list !== undefined && STATEMENT_LIST_PARENTS.has(list.type);
}

function bindingOf(resolution: Extract<Resolution, { ok: true }>, ancestors: readonly SyntaxNode[]): AnnotatedFunction["binding"] {
  const { statement, selfName } = resolution;
  if (!statement || !selfName) return null;
  // `export /** @memo */ const f = ...`: the tag leads the declaration inside the export.
  const exported = ancestors[ancestors.length - 1]?.type.startsWith("Export") ?? false;
  const parent = ancestors[ancestors.length - (exported ? 2 : 1)];
  if (!parent || !STATEMENT_LIST_PARENTS.has(parent.type)) return null;
  if (resolution.fn.type === "FunctionDeclaration") {
    // Declarations hoist, so module-level ones can be bound before any user code runs.
    return parent.type === "Program" ? { name: selfName, insertAt: "preamble" } : null;
  }
  return { name: selfName, insertAt: statement.end };
}

function problem(code: string, message: string, range: SourceRange): Resolution {
  return { ok: false, code, message: `[automemo] ${message}`, range };
}

/** The function a tagged node stands for, or why it cannot be cached. */
function resolve(node: SyntaxNode, ancestors: readonly SyntaxNode[], source: string, statement: SyntaxNode = node): Resolution {
  switch (node.type) {
    case "ExportNamedDeclaration":
      return node.declaration ? resolve(node.declaration, [...ancestors, node], source, node) : notAFunction(source, node, "an export list");
    case "ExportDefaultDeclaration": {
      const declaration = node.declaration;
      if (declaration.type === "FunctionDeclaration") return checkFunction(declaration, declaration.id?.name ?? "default", { statement, selfName: declaration.id?.name ?? null });
      const expression = unwrapExpression(declaration);
      if (isFunctionNode(expression)) return checkFunction(expression, "default");
      return notAFunction(source, node, declaration.type === "ClassDeclaration" ? "a class (tag its methods instead)" : "a default export that is not a function");
    }
    case "FunctionDeclaration":
      // `export default /** @memo */ function () {}` leads the nameless declaration itself.
      return checkFunction(node, node.id?.name ?? "default", { statement, selfName: node.id?.name ?? null });
    case "TSDeclareFunction":
      return resolveOverloadedFunction(node, ancestors, statement);
    case "VariableDeclaration": {
      const [declarator, ...rest] = node.declarations;
      const init = unwrapExpression(declarator?.init);
      if (rest.length > 0) return notAFunction(source, node, "a declaration of several variables (declare the function on its own)");
      if (!isFunctionNode(init)) return notAFunction(source, node, `variable '${source.slice(declarator.id.start, declarator.id.end)}', which does not hold a function`);
      const name = declarator.id.type === "Identifier" ? declarator.id.name : "anonymous";
      return checkFunction(init, name, { statement, selfName: declarator.id.type === "Identifier" ? name : null });
    }
    case "MethodDefinition":
    case "TSAbstractMethodDefinition":
      return resolveMethod(node, ancestors, source);
    case "PropertyDefinition":
    case "Property": {
      if (node.type === "Property" && (node.kind === "get" || node.kind === "set")) return accessorProblem(node, source);
      const value = unwrapExpression(node.value);
      const name = propertyKeyName(node.key, node.computed, source);
      if (!isFunctionNode(value)) return notAFunction(source, node, `property '${name}', which does not hold a function`);
      const classField = node.type === "PropertyDefinition";
      return checkFunction(value, name, { isInstanceMember: classField && !node.static, decorators: classField ? node.decorators : [], member: node });
    }
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return checkFunction(node, nameSegment(node, ancestors, source) ?? "anonymous");
    case "ExpressionStatement": {
      const expression = unwrapExpression(node.expression);
      const value = expression?.type === "AssignmentExpression" ? unwrapExpression(expression.right) : null;
      if (expression && isFunctionNode(value)) return checkFunction(value, nameSegment(value, [...ancestors, node, expression], source) ?? "anonymous");
      return notAFunction(source, node, "an expression statement");
    }
    case "ClassDeclaration":
    case "ClassExpression":
      return notAFunction(source, node, `class '${node.id?.name ?? "anonymous"}' (tag its methods instead)`);
    default:
      return notAFunction(source, node, describeNodeType(node.type));
  }
}

/** `TSMethodSignature` => `a TypeScript method signature`, `IfStatement` => `an if statement`. */
function describeNodeType(type: string): string {
  const words = type.replace(/^TS/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const phrase = type.startsWith("TS") ? `TypeScript ${words}` : words;
  return `${/^[aeiou]/i.test(phrase) ? "an" : "a"} ${phrase}`;
}

function checkFunction(fn: FunctionNode, ownName: string, facts: FunctionFacts = {}): Resolution {
  const header = { start: facts.member?.start ?? fn.start, end: fn.body ? fn.body.start : fn.end };
  if (fn.generator) {
    return problem(
      "AUTOMEMO_GENERATOR",
      `@TAG cannot cache generator function '${ownName}': a generator returns a new iterator on every call. Cache a function that collects the values into an array instead.`,
      header,
    );
  }
  if (!hasBody(fn)) return noBody(header, ownName);
  return {
    ok: true,
    fn,
    ownName,
    isInstanceMember: facts.isInstanceMember ?? false,
    statement: facts.statement ?? null,
    selfName: facts.selfName ?? null,
    decorators: facts.decorators ?? [],
  };
}

function resolveMethod(node: MethodDefinition, ancestors: readonly SyntaxNode[], source: string): Resolution {
  const name = propertyKeyName(node.key, node.computed, source);
  const keyRange = { start: node.start, end: node.key.end };
  if (node.kind === "constructor") {
    return problem(
      "AUTOMEMO_CONSTRUCTOR",
      "@TAG cannot be used on a constructor: `new` must create a new object on every call. Cache a static factory method instead.",
      keyRange,
    );
  }
  if (node.kind === "get" || node.kind === "set") return accessorProblem(node, source);
  if (node.type === "TSAbstractMethodDefinition") return noBody(keyRange, name);
  let implementation = node;
  if (node.value.type === "TSEmptyBodyFunctionExpression") {
    const classBody = ancestors[ancestors.length - 1];
    const found = (classBody?.type === "ClassBody" ? classBody.body : undefined)?.find(
      (member): member is MethodDefinition =>
        member.start > node.start &&
        member.type === "MethodDefinition" &&
        member.value.type === "FunctionExpression" &&
        member.static === node.static &&
        propertyKeyName(member.key, member.computed, source) === name,
    );
    if (!found) return noBody(keyRange, name);
    implementation = found;
  }
  const fn = implementation.value;
  if (!isFunctionNode(fn)) return noBody(keyRange, name);
  return checkFunction(fn, name, { isInstanceMember: !implementation.static, decorators: implementation.decorators, member: implementation });
}

/** A tag on the first overload signature applies to the implementation that follows the signatures. */
function resolveOverloadedFunction(node: FunctionLike, ancestors: readonly SyntaxNode[], statement: SyntaxNode): Resolution {
  // `export default function (a: string): void;` overloads a nameless default export.
  const name = node.id?.name ?? "default";
  const header = { start: node.start, end: node.end };
  const container = ancestors.findLast((ancestor) => ancestor.type !== "ExportNamedDeclaration" && ancestor.type !== "ExportDefaultDeclaration");
  const list = statementsOf(container);
  if (node.declare || !list) return noBody(header, name);
  for (let index = list.indexOf(statement) + 1; index < list.length; index++) {
    const sibling = list[index];
    const declaration = sibling.type === "ExportNamedDeclaration" || sibling.type === "ExportDefaultDeclaration" ? sibling.declaration : sibling;
    if (declaration?.type !== "FunctionDeclaration" && declaration?.type !== "TSDeclareFunction") break;
    if ((declaration.id?.name ?? "default") !== name) break;
    if (declaration.type === "FunctionDeclaration") return checkFunction(declaration, name, { statement: sibling, selfName: declaration.id ? name : null });
  }
  return noBody(header, name);
}

/** The statements of a node that holds a statement list an overload signature can stand in. */
function statementsOf(node: SyntaxNode | undefined): readonly SyntaxNode[] | null {
  switch (node?.type) {
    case "Program":
    case "BlockStatement":
    case "StaticBlock":
    case "TSModuleBlock":
      return node.body;
    default:
      return null;
  }
}

function noBody(range: SourceRange, name: string): Resolution {
  return problem(
    "AUTOMEMO_NO_BODY",
    `@TAG on '${name}' has no body to cache (a declare function, an abstract method, or an overload signature without an implementation after it). Put the tag on the implementation.`,
    range,
  );
}

function accessorProblem(node: MethodDefinition | ObjectProperty, source: string): Resolution {
  const name = propertyKeyName(node.key, node.computed, source);
  return problem(
    "AUTOMEMO_ACCESSOR",
    `@TAG cannot be used on ${node.kind === "get" ? "getter" : "setter"} '${name}': accessors are not cached. Turn it into a method, or cache a function the accessor calls.`,
    { start: node.start, end: node.key.end },
  );
}

function notAFunction(source: string, node: SyntaxNode, description: string): Resolution {
  const lineEnd = source.indexOf("\n", node.start);
  return problem(
    "AUTOMEMO_NOT_A_FUNCTION",
    `@TAG must lead a function, but it leads ${description}. Move the tag into the JSDoc right before a function declaration, a const/let/var holding a function or arrow, a class method, or an object method; or remove it.`,
    { start: node.start, end: lineEnd === -1 ? node.end : Math.min(node.end, lineEnd) },
  );
}
