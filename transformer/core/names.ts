import type { MethodDefinition, PropertyDefinition } from "oxc-parser";
import { type SyntaxNode, isTransparentWrapper, propertyKeyName } from "./ast.ts";

/**
 * Qualified names for ids: the chain of named things around a function, joined with
 * `.`: `Repo.load` (instance or static method), `Repo.#secret`, `api.users.list`
 * (object literal), `outer.inner` (function nested in a function), `default`
 * (anonymous default export). Unnamed containers (callbacks, IIFEs, returned
 * objects) are skipped; a function with no name of its own is `anonymous`.
 */

/** The first ancestor that is not a transparent wrapper (parentheses, `as`, `satisfies`, `!`). */
function effectiveParent(ancestors: readonly SyntaxNode[], node: SyntaxNode): { parent: SyntaxNode | null; child: SyntaxNode } {
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

type MemberNode = MethodDefinition | PropertyDefinition | Extract<SyntaxNode, { type: "Property" }>;

function isMember(node: SyntaxNode): node is MemberNode {
  return MEMBER_TYPES.has(node.type);
}

/**
 * The name segment `node` contributes, or null when it contributes none (blocks,
 * calls, or a value whose member already names it).
 */
export function nameSegment(node: SyntaxNode, ancestors: readonly SyntaxNode[], source: string): string | null {
  if (!NAMED_CONTAINERS.has(node.type)) return null;
  if (isMember(node)) return propertyKeyName(node.key, node.computed, source);
  if (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") return node.id?.name ?? "default";
  const { parent, child } = effectiveParent(ancestors, node);
  if (!parent) return null;
  if (isMember(parent) && parent.value === child) return null;
  if (parent.type === "VariableDeclarator" && parent.init === child && parent.id.type === "Identifier") return parent.id.name;
  if (parent.type === "ExportDefaultDeclaration") return "default";
  if (parent.type === "AssignmentExpression" && parent.right === child && isSimpleTarget(parent.left)) {
    return source.slice(parent.left.start, parent.left.end).replace(/\s+/g, "");
  }
  // Unnamed containers (IIFEs, returned objects, callbacks) add nothing to the chain.
  return node.type === "FunctionExpression" || node.type === "ClassExpression" ? (node.id?.name ?? null) : null;
}

/** `a`, `a.b`, `module.exports.c`: assignment targets that read well as names. */
function isSimpleTarget(node: SyntaxNode): boolean {
  if (node.type === "Identifier") return true;
  return node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier" && isSimpleTarget(node.object);
}

/** Segments of every named container enclosing the node whose ancestors are given. */
export function enclosingSegments(ancestors: readonly SyntaxNode[], source: string): string[] {
  const segments: string[] = [];
  for (let index = 0; index < ancestors.length; index++) {
    const segment = nameSegment(ancestors[index], ancestors.slice(0, index), source);
    if (segment !== null) segments.push(segment);
  }
  return segments;
}
