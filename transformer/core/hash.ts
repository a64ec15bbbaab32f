import { type SyntaxNode, TRANSPARENT_WRAPPERS } from "./ast.ts";

/**
 * Code hashing. A function's hash is computed from a canonical token stream of its
 * AST, so it ignores whitespace, comments, positions, quoting style and TypeScript
 * types, but sees every identifier, literal value, operator and node kind.
 *
 * Dependency tracking extends a function's hash with the hashes of the code it
 * references, so an edit to a helper it calls changes its hash too: build a `CodeHasher`, feed the function (`addNode`), then each
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

/** `optional` is runtime behaviour only on `a?.b` / `f?.()`; elsewhere it marks an optional type. */
const RUNTIME_OPTIONAL_NODES = new Set(["MemberExpression", "CallExpression"]);

/**
 * The stream is a sequence of 32-bit words mixed into two independent 32-bit states
 * (a murmur3 round and an xxhash32 round; 64 bits in all, 16 hex chars). Every token
 * is self-delimiting, so the stream decodes to exactly one token sequence:
 * - a name (node type, field key, marker) is one word per state: its `NameCode`, the
 *   64-bit hash of the name with a prefix for its role, so a type, a key and a marker
 *   never share a code (short of a 64-bit collision, the odds of the digest itself);
 * - a text is a length word, then its UTF-16 units two per word.
 * A node is `type` fields* `)`, a field `key` value; a value is a node, `[` items `]`,
 * a marker for the primitive's `typeof` then its text, or `json` then its JSON text.
 */
interface NameCode {
  readonly high: number;
  readonly low: number;
}

/** The 64-bit code of a name, computed from its characters alone (so the same in every process). */
function nameCode(name: string): NameCode {
  let high = 0x811c9dc5;
  let low = 0x9747b28c;
  for (let index = 0; index < name.length; index++) {
    high = mixHigh(high, name.charCodeAt(index));
    low = mixLow(low, name.charCodeAt(index));
  }
  high = mixHigh(high, name.length);
  low = mixLow(low, name.length);
  return { high: avalanche(high ^ (low >>> 7)), low: avalanche(low ^ (high >>> 11)) };
}

/** murmur3_32 block round. For a fixed state it is a bijection of the word, and vice versa. */
function mixHigh(state: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  state ^= Math.imul(k, 0x1b873593);
  state = (state << 13) | (state >>> 19);
  return (Math.imul(state, 5) + 0xe6546b64) | 0;
}

/** xxhash32 accumulator round, likewise bijective in the word and in the state. */
function mixLow(state: number, word: number): number {
  state = (state + Math.imul(word, 0x85ebca77)) | 0;
  state = (state << 13) | (state >>> 19);
  return Math.imul(state, 0x9e3779b1);
}

function avalanche(value: number): number {
  value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
  return value ^ (value >>> 16);
}

const TEXT = nameCode("#text");
const NODE_END = nameCode("#)");
const ARRAY_BEGIN = nameCode("#[");
const ARRAY_END = nameCode("#]");
const HOLE = nameCode("#hole");
const NON_NODE_ITEM = nameCode("#item");
const JSON_VALUE = nameCode("#json");
const TRUE = nameCode("#true");
const STRING = nameCode("=string");
const NUMBER = nameCode("=number");
const BIGINT = nameCode("=bigint");
/** Literal `value`s that are neither: `bigint` (`10n`); any other kind gets its own marker the same way. */
function primitiveMarker(kind: string): NameCode {
  return kind === "bigint" ? BIGINT : nameCode(`=${kind}`);
}

/** How a node type is hashed: its fields; as its `expression` alone (a type-only wrapper or parentheses); not at all (a TypeScript type). */
const FIELDS = 0;
const WRAPPER = 1;
const SKIPPED = 2;

/**
 * How to hash the nodes of one `type`: its code, and a cache of the codes of its keys
 * (null for a skipped key). The fields are hashed in the node's own key order, and each
 * key's code is `keyCode(type, key)` whether it comes from the cache or not: the cache
 * holds the keys of the first node of the type seen, and nodes of one type do not all
 * have the same keys (TS-only fields, `regex` / `bigint` on some `Literal`s), so a node
 * is matched against it key by key and its other keys are looked up.
 */
interface Descriptor {
  readonly code: NameCode;
  readonly mode: typeof FIELDS | typeof WRAPPER | typeof SKIPPED;
  readonly keys: readonly string[];
  readonly codes: readonly (NameCode | null)[];
}

/** Keyed by node type; shared by all hashers. */
const descriptors = new Map<string, Descriptor>();
const fieldCodes = new Map<string, NameCode>();

/** The code of a field key, or null if the field is not hashed on nodes of `type`. */
function keyCode(type: string, key: string): NameCode | null {
  if (key === "type" || SKIPPED_FIELDS.has(key) || (key === "optional" && !RUNTIME_OPTIONAL_NODES.has(type))) return null;
  let code = fieldCodes.get(key);
  if (code === undefined) fieldCodes.set(key, (code = nameCode(`.${key}`)));
  return code;
}

function describeType(node: SyntaxNode): Descriptor {
  const type = node.type;
  // A wrapper (types, parentheses) is hashed as its expression alone.
  const mode = TRANSPARENT_WRAPPERS.has(type) ? WRAPPER : type.startsWith("TS") && !RUNTIME_TS_NODES.has(type) ? SKIPPED : FIELDS;
  const keys = mode === FIELDS ? Object.keys(node) : [];
  const descriptor: Descriptor = { code: nameCode(`:${type}`), mode, keys, codes: keys.map((key) => keyCode(type, key)) };
  descriptors.set(type, descriptor);
  return descriptor;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** 8 lowercase hex digits (as `(value >>> 0).toString(16).padStart(8, "0")`, faster). */
function hex(value: number): string {
  return HEX_BYTES[value >>> 24]! + HEX_BYTES[(value >>> 16) & 255]! + HEX_BYTES[(value >>> 8) & 255]! + HEX_BYTES[value & 255]!;
}

export class CodeHasher {
  private high = 0x811c9dc5;
  private low = 0x9747b28c;

  /** Feed text: a token of its own, so `add("ab").add("c")` differs from `add("a").add("bc")`. */
  add(text: string): this {
    this.mix(TEXT);
    this.text(text);
    return this;
  }

  /** Feed the canonical form of an AST subtree. */
  addNode(node: SyntaxNode): this {
    this.value(node);
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
    return hex(high) + hex(low);
  }

  private mix(code: NameCode): void {
    this.high = mixHigh(this.high, code.high);
    this.low = mixLow(this.low, code.low);
  }

  /** The length, then the UTF-16 units two per word. */
  private text(text: string): void {
    const length = text.length;
    let high = mixHigh(this.high, length);
    let low = mixLow(this.low, length);
    let index = 0;
    for (; index + 1 < length; index += 2) {
      const word = text.charCodeAt(index) | (text.charCodeAt(index + 1) << 16);
      high = mixHigh(high, word);
      low = mixLow(low, word);
    }
    if (index < length) {
      const word = text.charCodeAt(index);
      high = mixHigh(high, word);
      low = mixLow(low, word);
    }
    this.high = high;
    this.low = low;
  }

  /** A node of type `type` (read once by the caller: loads from AST nodes are megamorphic). */
  private visit(node: SyntaxNode, type: string): void {
    const descriptor = descriptors.get(type) ?? describeType(node);
    // Read generically, key by key: the canonical form covers every kind of node the same way.
    const fields = node as unknown as Readonly<Record<string, unknown>>;
    if (descriptor.mode !== FIELDS) {
      if (descriptor.mode === WRAPPER) this.value(fields.expression);
      return;
    }
    this.mix(descriptor.code);
    const keys = descriptor.keys;
    const codes = descriptor.codes;
    let cursor = 0;
    for (const key in fields) {
      const value = fields[key];
      let code: NameCode | null;
      if (keys[cursor] === key) code = codes[cursor++]!;
      else code = keyCode(type, key);
      // Absent and false fields add nothing.
      if (code === null || value === null || value === undefined || value === false) continue;
      this.mix(code);
      this.value(value);
    }
    this.mix(NODE_END);
  }

  /** The value of a field, after its key. */
  private value(value: unknown): void {
    if (typeof value !== "object") {
      if (value === true) {
        this.mix(TRUE);
      } else {
        this.mix(typeof value === "string" ? STRING : typeof value === "number" ? NUMBER : primitiveMarker(typeof value));
        this.text(String(value));
      }
      return;
    }
    if (value === null) return;
    if (Array.isArray(value)) {
      this.mix(ARRAY_BEGIN);
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        const type: unknown = typeof item === "object" && item !== null ? (item as { type?: unknown }).type : undefined;
        if (typeof type === "string") this.visit(item as SyntaxNode, type);
        else this.mix(item === null ? HOLE : NON_NODE_ITEM);
      }
      this.mix(ARRAY_END);
      return;
    }
    const type: unknown = (value as { type?: unknown }).type;
    if (typeof type === "string") {
      this.visit(value as SyntaxNode, type);
    } else {
      // Literal payloads: `regex: { pattern, flags }`, template `value: { raw, cooked }`.
      this.mix(JSON_VALUE);
      this.text(JSON.stringify(value));
    }
  }
}
