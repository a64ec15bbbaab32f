import type {
  ArrowFunctionExpression,
  Function as FunctionLike,
  Node,
  ParenthesizedExpression,
  PropertyKey,
  TSAsExpression,
  TSNonNullExpression,
  TSSatisfiesExpression,
  TSTypeAssertion,
} from "oxc-parser";

/**
 * Any node of oxc-parser's ESTree / TS-ESTree AST (its `@oxc-project/types`), a union
 * that narrows on `type`: after `node.type === "VariableDeclaration"` the compiler
 * knows `node.declarations`.
 */
export type SyntaxNode = Node;

export interface AstComment {
  readonly type: "Line" | "Block";
  /** Text between the delimiters (for `/** x *\/`, `* x `). */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export function isNode(value: unknown): value is SyntaxNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/**
 * Direct child nodes in source order (arrays flattened), with the key that holds each.
 * Every walk of the core and of dependency hashing goes through here, so it is kept
 * lean: most fields hold primitives (`type`, `start`, `end`, names, flags) and are
 * dismissed by one `typeof` before any key comparison. Of the object-valued fields,
 * `range`, `loc` and `parent` never hold children worth visiting.
 */
export function forEachChild(node: SyntaxNode, visit: (child: SyntaxNode, key: string) => void): void {
  // Read generically, key by key: the walk visits every kind of node the same way.
  const fields = node as unknown as Readonly<Record<string, unknown>>;
  for (const key in fields) {
    const value = fields[key];
    if (typeof value !== "object" || value === null || key === "range" || key === "loc" || key === "parent") continue;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        if (isNode(item)) visit(item, key);
      }
    } else if (typeof (value as { type?: unknown }).type === "string") {
      visit(value as SyntaxNode, key);
    }
  }
}

export const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/**
 * A function node: `FunctionDeclaration`, `FunctionExpression` or `ArrowFunctionExpression`
 * once `isFunctionNode` said so (oxc's `Function` also stands for bodiless `TSDeclareFunction`s).
 */
export type FunctionNode = FunctionLike | ArrowFunctionExpression;

/** A function node whose body is there (oxc's types allow none for overload signatures). */
export type FunctionWithBody = FunctionNode & { readonly body: NonNullable<FunctionNode["body"]> };

export function hasBody(fn: FunctionNode): fn is FunctionWithBody {
  return fn.body != null;
}

export function isFunctionNode(node: SyntaxNode | null | undefined): node is FunctionNode {
  return node != null && FUNCTION_TYPES.has(node.type);
}

/**
 * Wrappers that do not change what an expression computes (parentheses, type
 * assertions, `f<T>`): the one list the finder, the scope analysis, the code hash and
 * dependency tracking look through.
 */
export const TRANSPARENT_WRAPPERS: ReadonlySet<string> = new Set([
  "ParenthesizedExpression",
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
]);

type TransparentWrapper = ParenthesizedExpression | TSAsExpression | TSSatisfiesExpression | TSNonNullExpression | TSTypeAssertion;

export function unwrapExpression(node: SyntaxNode | null | undefined): SyntaxNode | null {
  let current = node ?? null;
  while (current && isTransparentWrapper(current)) current = current.expression;
  return current;
}

export function isTransparentWrapper(node: SyntaxNode): node is TransparentWrapper {
  return TRANSPARENT_WRAPPERS.has(node.type);
}

/**
 * Names bound by a parameter or declaration pattern, in source order:
 * `{ a, b: [c], ...d }` binds `a`, `c`, `d`. TS `this` parameters bind nothing.
 */
export function boundNames(pattern: SyntaxNode | null | undefined, out: string[] = []): string[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case "Identifier":
      if (pattern.name !== "this") out.push(pattern.name);
      break;
    case "ObjectPattern":
      for (const property of pattern.properties) {
        boundNames(property.type === "RestElement" ? property.argument : property.value, out);
      }
      break;
    case "ArrayPattern":
      for (const element of pattern.elements) boundNames(element, out);
      break;
    case "RestElement":
      boundNames(pattern.argument, out);
      break;
    case "AssignmentPattern":
      boundNames(pattern.left, out);
      break;
    case "TSParameterProperty":
      boundNames(pattern.parameter, out);
      break;
  }
  return out;
}

/** The display name of a property/method key: `load`, `#secret`, `"a-b"` as `a-b`, computed as `[expr]`. */
export function propertyKeyName(key: PropertyKey, computed: boolean, source: string): string {
  if (!computed) {
    if (key.type === "Identifier") return key.name;
    if (key.type === "PrivateIdentifier") return `#${key.name}`;
    if (key.type === "Literal") return String(key.value);
  }
  return `[${source.slice(key.start, key.end)}]`;
}
