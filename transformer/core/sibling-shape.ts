import type { Function as FunctionLike, FunctionBody, ParamPattern } from "oxc-parser";
import { type SyntaxNode, boundNames, forEachChild } from "./ast.ts";
import type { SiblingShape } from "./plan.ts";

/**
 * The emitted shape that keeps a tagged function declaration's body at its own nesting
 * depth. `function f(a, b = 1) { BODY }` becomes two sibling declarations:
 *
 *   function f(a, b = 1) { const r = h.get2(a, b); if (r !== MISS) return r; return h.settleCall(__am_f0, void 0, a, b); } function __am_f0(a, b) { BODY }
 *
 * The wrapper keeps the name, the parameter list (defaults run once, `fn.length` and
 * `fn.name` are the original's), `async`, the export and hoisting; the body stays in a
 * declaration at the same nesting level, so automemo adds no depth around user code
 * (with `settle(() => { BODY })` each tagged function nested its body four tree levels
 * deeper, and deeply nested code overflowed Babel's printer and tsc's emitter earlier).
 *
 * The compute declaration receives the parameters' values after defaults. Where that could
 * differ from running the body in place, the function keeps the `settle(() => { BODY })`
 * shape: when the body reads its own `arguments` or `new.target` or starts with a directive, when a parameter is a
 * pattern (destructuring) or its default holds a function or class (a closure over the
 * parameter scope), and, in TypeScript, when a parameter with a default or an optional one
 * has no type annotation (the compute's parameter would have none, an implicit `any`).
 */
export function siblingShapeOf(fn: SyntaxNode, inStatementList: boolean, source: string, typescript: boolean, computeName: string): SiblingShape | null {
  if (fn.type !== "FunctionDeclaration" || !inStatementList || fn.generator || !hasBlockBody(fn)) return null;
  // A directive ("use strict") would make the compute strict and leave the wrapper's `this` sloppy.
  const first = fn.body.body[0];
  if (first !== undefined && "directive" in first && typeof first.directive === "string") return null;
  const names: string[] = [];
  const texts: string[] = [];
  for (const param of fn.params) {
    const text = computeParameter(param, source, typescript);
    if (text === null) return null;
    texts.push(text);
    if (param.type === "Identifier" && param.name === "this") continue;
    // computeParameter accepted a plain name, `name = default` or `...name`: it binds that one name.
    names.push(boundNames(param)[0]!);
  }
  const uses = ownLevelUses(fn.body);
  if (uses.arguments || uses.newTarget) return null;
  const nameStart = fn.id ? fn.id.start : afterFunctionKeyword(fn, source);
  if (nameStart < 0) return null;
  const paramsRange = parameterListRange(fn, source);
  if (paramsRange === null) return null;
  return {
    computeName,
    paramNames: names,
    computeParamsText: texts.join(", "),
    passesThis: uses.this,
    name: { start: nameStart, end: fn.id ? fn.id.end : nameStart },
    params: paramsRange,
  };
}

/** `a: T` for `a: T`, `a: T = 1` and `...a: T`; `a: (T) | undefined` for `a?: T`; null for what keeps the old shape. */
function computeParameter(param: ParamPattern, source: string, typescript: boolean): string | null {
  const annotationOf = (node: { readonly typeAnnotation?: { readonly start: number; readonly end: number } | null }): string => (node.typeAnnotation ? source.slice(node.typeAnnotation.start, node.typeAnnotation.end) : "");
  if (param.type === "Identifier") {
    if (param.name === "this") return source.slice(param.start, param.end);
    const annotation = annotationOf(param);
    // oxc types a binding identifier's `optional` as false, yet a parameter `a?: T` has `optional: true`.
    const optional = (param as { readonly optional?: boolean }).optional === true;
    if (!optional) return `${param.name}${annotation}`;
    if (annotation === "") return typescript ? null : param.name;
    return `${param.name}: (${annotation.replace(/^\s*:/, "")}) | undefined`;
  }
  if (param.type === "AssignmentPattern" && param.left.type === "Identifier" && !holdsClosure(param.right)) {
    const annotation = annotationOf(param.left);
    return annotation === "" && typescript ? null : `${param.left.name}${annotation}`;
  }
  if (param.type === "RestElement" && param.argument.type === "Identifier") {
    return `${param.argument.name}${annotationOf(param) || annotationOf(param.argument)}`;
  }
  return null;
}

/** A function declaration with its block body (not an overload signature). */
type DeclarationWithBody = FunctionLike & { readonly body: FunctionBody };

function hasBlockBody(fn: FunctionLike): fn is DeclarationWithBody {
  return fn.body?.type === "BlockStatement";
}

const CLOSURE_TYPES = new Set(["FunctionExpression", "ArrowFunctionExpression", "ClassExpression"]);

function holdsClosure(node: SyntaxNode): boolean {
  const pending: SyntaxNode[] = [node];
  const push = (child: SyntaxNode): void => void pending.push(child);
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (CLOSURE_TYPES.has(item.type)) return true;
    forEachChild(item, push);
  }
  return false;
}

/** Whether the body reads `this`, `arguments` or `new.target` of its own function (not of a nested non-arrow one). Conservative: classes count. */
function ownLevelUses(body: SyntaxNode): { this: boolean; arguments: boolean; newTarget: boolean } {
  const uses = { this: false, arguments: false, newTarget: false };
  // Iterative: bodies nest as deep as the code does.
  const pending: SyntaxNode[] = [body];
  const push = (child: SyntaxNode): void => void pending.push(child);
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.type === "FunctionDeclaration" || node.type === "FunctionExpression") continue;
    if (node.type === "ThisExpression") uses.this = true;
    else if (node.type === "Identifier" && node.name === "arguments") uses.arguments = true;
    else if (node.type === "MetaProperty" && node.meta?.name === "new") uses.newTarget = true;
    forEachChild(node, push);
  }
  return uses;
}

/** Where a nameless `function (` gets its name: right after the `function` keyword. */
function afterFunctionKeyword(fn: DeclarationWithBody, source: string): number {
  const keyword = source.indexOf("function", fn.start);
  return keyword < 0 || keyword > fn.body.start ? -1 : keyword + "function".length;
}

/** The text between the parentheses of the parameter list. */
function parameterListRange(fn: DeclarationWithBody, source: string): { start: number; end: number } | null {
  const params = fn.params;
  const headerEnd = fn.returnType ? fn.returnType.start : fn.body.start;
  const close = source.lastIndexOf(")", headerEnd);
  const searchFrom = fn.typeParameters ? fn.typeParameters.end : (fn.id?.end ?? fn.start);
  const open = params.length > 0 ? source.lastIndexOf("(", params[0].start) : source.indexOf("(", searchFrom);
  if (open < 0 || close < open || (params.length > 0 && (open < searchFrom || close < params[params.length - 1].end))) return null;
  return { start: open + 1, end: close };
}
