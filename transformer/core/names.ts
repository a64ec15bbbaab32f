import { type AstNode, isTransparentWrapper, propertyKeyName } from "./ast.ts";

/**
 * Qualified names for ids: the chain of named things around a function, joined with
 * `.`: `Repo.load` (instance or static method), `Repo.#secret`, `api.users.list`
 * (object literal), `outer.inner` (function nested in a function), `default`
 * (anonymous default export). Unnamed containers (callbacks, IIFEs, returned
 * objects) are skipped; a function with no name of its own is `anonymous`.
 */

/** The first ancestor that is not a transparent wrapper (parentheses, `as`, `satisfies`, `!`). */
export function effectiveParent(ancestors: readonly AstNode[], node: AstNode): { parent: AstNode | null; child: AstNode } {
  let child = node;
  for (let index = ancestors.length - 1; index >= 0; index--) {
    const parent = ancestors[index];
    if (!isTransparentWrapper(parent)) return { parent, child };
    child = parent;
  }
  return { parent: null, child };
}

const NAMED_CONTAINERS = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ClassDeclaration",
  "ClassExpression",
  "ObjectExpression",
  "MethodDefinition",
  "PropertyDefinition",
  "Property",
  "TSAbstractMethodDefinition",
]);

/** Member nodes whose `value` takes its name from the member's key. */
const MEMBER_TYPES = new Set(["MethodDefinition", "PropertyDefinition", "Property", "TSAbstractMethodDefinition"]);

/**
 * The name segment `node` contributes, or null when it contributes none (blocks,
 * calls, or a value whose member already names it).
 */
export function nameSegment(node: AstNode, ancestors: readonly AstNode[], source: string): string | null {
  if (!NAMED_CONTAINERS.has(node.type)) return null;
  if (MEMBER_TYPES.has(node.type)) return propertyKeyName(node.key, node.computed, source);
  if (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") return node.id?.name ?? "default";
  const { parent, child } = effectiveParent(ancestors, node);
  if (!parent) return null;
  if (MEMBER_TYPES.has(parent.type) && parent.value === child) return null;
  if (parent.type === "VariableDeclarator" && parent.init === child && parent.id.type === "Identifier") return parent.id.name;
  if (parent.type === "ExportDefaultDeclaration") return "default";
  if (parent.type === "AssignmentExpression" && parent.right === child && isSimpleTarget(parent.left)) {
    return source.slice(parent.left.start, parent.left.end).replace(/\s+/g, "");
  }
  // Unnamed containers (IIFEs, returned objects, callbacks) add nothing to the chain.
  return node.id?.name ?? null;
}

/** `a`, `a.b`, `module.exports.c`: assignment targets that read well as names. */
function isSimpleTarget(node: AstNode): boolean {
  if (node.type === "Identifier") return true;
  return node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier" && isSimpleTarget(node.object);
}

/** Segments of every named container enclosing the node whose ancestors are given. */
export function enclosingSegments(ancestors: readonly AstNode[], source: string): string[] {
  const segments: string[] = [];
  for (let index = 0; index < ancestors.length; index++) {
    const segment = nameSegment(ancestors[index], ancestors.slice(0, index), source);
    if (segment !== null) segments.push(segment);
  }
  return segments;
}
