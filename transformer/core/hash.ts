import { type AstNode, isNode } from "./ast.ts";

/**
 * Code hashing. A function's hash is computed from a canonical token stream of its
 * AST, so it ignores whitespace, comments, positions, quoting style and TypeScript
 * types, but sees every identifier, literal value, operator and node kind.
 *
 * Dependency tracking (issue 6) extends a function's hash with the hashes of the
 * code it references: build a `CodeHasher`, feed the function (`addNode`), then each
 * dependency's hash (`addHash`) in a deterministic order, and `digest()`.
 */

/** Fields that only carry positions, types or formatting. */
const SKIPPED_FIELDS = new Set([
  "start",
  "end",
  "range",
  "loc",
  "raw",
  "typeAnnotation",
  "returnType",
  "typeParameters",
  "typeArguments",
  "superTypeArguments",
  "implements",
  "definite",
  "declare",
  "accessibility",
  "override",
  "readonly",
]);

/** The TS nodes that produce runtime code; every other `TS*` node is a type and is skipped. */
const RUNTIME_TS_NODES = new Set([
  "TSEnumDeclaration",
  "TSEnumBody",
  "TSEnumMember",
  "TSModuleDeclaration",
  "TSModuleBlock",
  "TSParameterProperty",
  "TSExportAssignment",
  "TSImportEqualsDeclaration",
  "TSExternalModuleReference",
]);

/** Wrappers that do not change what an expression computes (types, parentheses): hash the expression alone. */
const TYPE_WRAPPERS = new Set([
  "ParenthesizedExpression",
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
]);

/** `optional` is runtime behaviour only on `a?.b` / `f?.()`; elsewhere it marks an optional type. */
const RUNTIME_OPTIONAL_NODES = new Set(["MemberExpression", "CallExpression"]);

const SEPARATOR = "\u0001";

/** Two 32-bit multiplicative streams (FNV-1a and a murmur-style mix) = 64 bits, 16 hex chars. */
export class CodeHasher {
  private high = 0x811c9dc5;
  private low = 0x9747b28c;

  /** Feed text (each UTF-16 unit). */
  add(text: string): this {
    this.feed(text);
    return this.separate();
  }

  /** Feed the canonical form of an AST subtree. */
  addNode(node: AstNode): this {
    this.visit(node);
    return this;
  }

  /** Feed another hash (a dependency's), so the result changes when it does. */
  addHash(hash: string): this {
    return this.add(`#${hash}`);
  }

  digest(): string {
    // Final avalanche so short inputs still spread over all bits.
    let high = this.high ^ (this.low >>> 7);
    let low = this.low ^ (this.high >>> 11);
    high = Math.imul(high ^ (high >>> 16), 0x85ebca6b);
    low = Math.imul(low ^ (low >>> 13), 0xc2b2ae35);
    high ^= high >>> 13;
    low ^= low >>> 16;
    return (high >>> 0).toString(16).padStart(8, "0") + (low >>> 0).toString(16).padStart(8, "0");
  }

  /**
   * The units of `text`, with no separator after them: consecutive `feed` calls then
   * one `separate` hash exactly like `add` of the concatenated text, without building it.
   */
  private feed(text: string): void {
    let high = this.high;
    let low = this.low;
    for (let index = 0; index < text.length; index++) {
      const unit = text.charCodeAt(index);
      high = Math.imul(high ^ unit, 0x01000193);
      low = Math.imul(low ^ unit, 0x5bd1e995);
      low ^= low >>> 15;
    }
    this.high = high;
    this.low = low;
  }

  private separate(): this {
    this.high = Math.imul(this.high ^ 1, 0x01000193);
    this.low = Math.imul(this.low ^ 1, 0x5bd1e995);
    return this;
  }

  private visit(node: AstNode): void {
    const type = node.type;
    if (TYPE_WRAPPERS.has(type)) {
      this.visit(node.expression);
      return;
    }
    if (type.startsWith("TS") && !RUNTIME_TS_NODES.has(type)) return;
    this.add(type);
    for (const key in node) {
      const value = node[key];
      // Absent and false fields add nothing (checked first: most fields of a node are null or primitive).
      if (value === null || value === undefined || value === false || key === "type" || SKIPPED_FIELDS.has(key)) continue;
      if (key === "optional" && !RUNTIME_OPTIONAL_NODES.has(type)) continue;
      this.visitField(key, value);
    }
    this.add(")");
  }

  /** One field of a node; the fed text is `key[` ... `]`, `key` + child, `key=<json>` or `key=<typeof>:<value>`. */
  private visitField(key: string, value: unknown): void {
    if (typeof value !== "object") {
      this.feed(key);
      this.feed("=");
      this.feed(typeof value);
      this.feed(":");
      this.feed(String(value));
      this.separate();
    } else if (Array.isArray(value)) {
      this.feed(key);
      this.add("[");
      for (let index = 0; index < value.length; index++) {
        const item = value[index];
        if (isNode(item)) this.visit(item);
        else this.add(item === null ? "hole" : SEPARATOR);
      }
      this.add("]");
    } else if (isNode(value)) {
      this.add(key);
      this.visit(value);
    } else {
      // Literal payloads: `regex: { pattern, flags }`, template `value: { raw, cooked }`.
      this.feed(key);
      this.feed("=");
      this.add(JSON.stringify(value));
    }
  }
}

/** The own-code hash of a function: its name (as used in its id) plus its AST. */
export function hashFunctionCode(name: string, node: AstNode): string {
  return new CodeHasher().add(name).addNode(node).digest();
}
