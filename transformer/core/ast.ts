/**
 * The slice of oxc-parser's ESTree / TS-ESTree shape the core relies on. Nodes
 * are read generically (every child is found by walking own keys), so this type
 * only names the fields the core reads directly.
 */
export interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [field: string]: any;
}

export interface AstComment {
  readonly type: "Line" | "Block";
  /** Text between the delimiters (for `/** x *\/`, `* x `). */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/**
 * Direct child nodes in source order (arrays flattened), with the key that holds each.
 * Every walk of the core and of dependency hashing goes through here, so it is kept
 * lean: most fields hold primitives (`type`, `start`, `end`, names, flags) and are
 * dismissed by one `typeof` before any key comparison. Of the object-valued fields,
 * `range`, `loc` and `parent` never hold children worth visiting.
 */
export function forEachChild(node: AstNode, visit: (child: AstNode, key: string) => void): void {
  for (const key in node) {
    const value = node[key];
    if (typeof value !== "object" || value === null || key === "range" || key === "loc" || key === "parent") continue;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const item = value[index];
        if (isNode(item)) visit(item, key);
      }
    } else if (typeof value.type === "string") {
      visit(value, key);
    }
  }
}

export const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

export function isFunctionNode(node: AstNode | null | undefined): node is AstNode {
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

export function unwrapExpression(node: AstNode | null | undefined): AstNode | null {
  let current = node ?? null;
  while (current && TRANSPARENT_WRAPPERS.has(current.type)) current = current.expression;
  return current;
}

export function isTransparentWrapper(node: AstNode): boolean {
  return TRANSPARENT_WRAPPERS.has(node.type);
}

/**
 * Names bound by a parameter or declaration pattern, in source order:
 * `{ a, b: [c], ...d }` binds `a`, `c`, `d`. TS `this` parameters bind nothing.
 */
export function boundNames(pattern: AstNode | null | undefined, out: string[] = []): string[] {
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
export function propertyKeyName(key: AstNode, computed: boolean, source: string): string {
  if (!computed) {
    if (key.type === "Identifier") return key.name;
    if (key.type === "PrivateIdentifier") return `#${key.name}`;
    if (key.type === "Literal") return String(key.value);
  }
  return `[${source.slice(key.start, key.end)}]`;
}
