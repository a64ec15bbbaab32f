import { parseSync } from "oxc-parser";
import type { CacheKind } from "../../runtime/meta.ts";
import type { ObjectProperty } from "oxc-parser";
import type { AstComment, SyntaxNode } from "./ast.ts";
import { blockTagStarts } from "./block-tags.ts";
import type { SourceRange } from "./plan.ts";

/** A `@memo` / `@singleton` tag found in a JSDoc comment. */
export interface FoundTag {
  readonly kind: CacheKind;
  /** The `@memo` word itself. */
  readonly range: SourceRange;
  /** The `{ ... }` options literal, when present. */
  readonly optionsRange: SourceRange | null;
  /** Raw option values (literals only), or null when the tag has no options. */
  readonly rawOptions: Record<string, unknown> | null;
  /** Each option's `name: value` text, so a bad option is pointed at exactly. */
  readonly optionRanges: Readonly<Record<string, SourceRange>>;
}

interface TagProblem {
  readonly code: string;
  readonly message: string;
  readonly range: SourceRange;
}

export interface CommentTags {
  readonly comment: AstComment;
  readonly tags: readonly FoundTag[];
  readonly problems: readonly TagProblem[];
}

/** Cheap pre-filter: could this text hold a tag at all? (A RegExp, so bundlers can also test it natively.) */
export const TAG_PATTERN = /@(memo|singleton)\b/;

/** A file that never says `@memo` / `@singleton` needs no parse, and hosts never transform it. */
export function mightContainTags(source: string): boolean {
  return TAG_PATTERN.test(source);
}

/** A cache tag word at the start of a block tag (`@memoize` and `@memo-ish` are other tags). */
const CACHE_TAG = /^@(memo|singleton)(?![\w$-])/;

/** True for `/** ... *\/` (but not the empty `/**\/`). */
export function isJsDoc(comment: AstComment): boolean {
  return comment.type === "Block" && comment.value.startsWith("*") && comment.value !== "*";
}

/**
 * Every cache tag in one JSDoc comment, with its options parsed (literals only). Only
 * block tags count (`block-tags.ts`): `@memo` in prose, code or `{@link}` is text.
 * After a tag and its options, the rest of the line must be empty: a description
 * belongs on another line, and anything else (`@memo { ttl: 1 } extra`) is a problem.
 */
export function readCommentTags(source: string, comment: AstComment): CommentTags {
  const tags: FoundTag[] = [];
  const problems: TagProblem[] = [];
  const valueStart = comment.start + 2;
  const valueEnd = comment.end - 2;
  for (const { at } of blockTagStarts(comment.value, CACHE_TAG)) {
    const kind = CACHE_TAG.exec(comment.value.slice(at))![1] as CacheKind;
    const tagStart = valueStart + at;
    const range = { start: tagStart, end: tagStart + 1 + kind.length };
    const braceAt = findOptionsStart(source, range.end, valueEnd);
    let tag: FoundTag = { kind, range, optionsRange: null, rawOptions: null, optionRanges: {} };
    if (braceAt !== -1) {
      const parsed = parseOptionsLiteral(source, braceAt, valueEnd, kind);
      if ("problem" in parsed) {
        problems.push(parsed.problem);
        tags.push(tag);
        continue;
      }
      tag = { kind, range, optionsRange: parsed.range, rawOptions: parsed.options, optionRanges: parsed.optionRanges };
    }
    const trailing = trailingText(source, (tag.optionsRange ?? range).end, valueEnd);
    if (trailing) problems.push(trailingTextProblem(kind, trailing, source));
    tags.push(tag);
  }
  return { comment, tags, problems };
}

/** Non-blank text between `from` and the end of its comment line (a closing `**\/` run excluded), or null. */
function trailingText(source: string, from: number, valueEnd: number): SourceRange | null {
  const newline = source.indexOf("\n", from);
  let end = newline === -1 || newline > valueEnd ? valueEnd : newline;
  if (end === valueEnd) while (end > from && source[end - 1] === "*") end--;
  let start = from;
  while (start < end && /\s/.test(source[start])) start++;
  while (end > start && /\s/.test(source[end - 1])) end--;
  return start < end ? { start, end } : null;
}

function trailingTextProblem(kind: CacheKind, range: SourceRange, source: string): TagProblem {
  const text = source.slice(range.start, range.end);
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return {
    code: "AUTOMEMO_TAG_TRAILING_TEXT",
    message: `[automemo] Unexpected text after @${kind}: '${shown}'. A tag line holds the tag and its options object only (@${kind} { ttl: "1h" }); put descriptions on a line of their own and each tag on its own line.`,
    range,
  };
}

/** The `{` of an options literal on the tag's own line, or -1. */
function findOptionsStart(source: string, from: number, limit: number): number {
  let index = from;
  while (index < limit && (source[index] === " " || source[index] === "\t")) index++;
  return index < limit && source[index] === "{" ? index : -1;
}

/**
 * The options literal as JS text with the JSDoc line prefixes (`\n * `) blanked out,
 * so every character keeps its source offset and parser positions map back 1:1.
 */
function extractBalancedObject(source: string, braceAt: number, limit: number): { text: string; end: number } | null {
  let depth = 0;
  let quote: string | null = null;
  let text = "";
  let atLineStart = false;
  for (let index = braceAt; index < limit; index++) {
    const char = source[index];
    if (char === "\n") {
      atLineStart = true;
      text += char;
      continue;
    }
    if (atLineStart) {
      if (char === " " || char === "\t" || char === "\r") {
        text += char;
        continue;
      }
      atLineStart = false;
      if (char === "*") {
        text += " ";
        continue;
      }
    }
    text += char;
    if (quote) {
      if (char === "\\") {
        index++;
        text += source[index] ?? "";
      } else if (char === quote) {
        quote = null;
      }
      continue;
    }
    if (char === '"' || char === "'" || char === "`") quote = char;
    else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return { text, end: index + 1 };
    }
  }
  return null;
}

function parseOptionsLiteral(
  source: string,
  braceAt: number,
  limit: number,
  kind: CacheKind,
): { range: SourceRange; options: Record<string, unknown>; optionRanges: Record<string, SourceRange> } | { problem: TagProblem } {
  const balanced = extractBalancedObject(source, braceAt, limit);
  if (!balanced) {
    return {
      problem: {
        code: "AUTOMEMO_OPTION_SYNTAX",
        message: `[automemo] The options of @${kind} start with '{' but never close. Write them as one object literal, e.g. @${kind} { ttl: "1h" }.`,
        range: { start: braceAt, end: braceAt + 1 },
      },
    };
  }
  const range = { start: braceAt, end: balanced.end };
  // One leading "(" so an object literal parses as an expression; offsets shift by 1.
  const parsed = parseSync("options.ts", `(${balanced.text})`, { lang: "ts", sourceType: "module" });
  const statement: SyntaxNode | undefined = parsed.program.body[0];
  const objectNode = statement?.type === "ExpressionStatement" ? unwrapParens(statement.expression) : null;
  if (parsed.errors.length > 0 || parsed.program.body.length !== 1 || objectNode?.type !== "ObjectExpression") {
    const at = parsed.errors[0]?.labels?.[0]?.start;
    const start = typeof at === "number" ? Math.min(braceAt + at - 1, balanced.end - 1) : braceAt;
    const reason = parsed.errors[0]?.message ?? "not a single object literal";
    return {
      problem: {
        code: "AUTOMEMO_OPTION_SYNTAX",
        message: `[automemo] The options of @${kind} are not a valid object literal (${reason}). Write them like @${kind} { ttl: "1h", maxEntries: 100 }.`,
        range: { start: Math.max(braceAt, start), end: Math.max(braceAt, start) + 1 },
      },
    };
  }
  const toSource = (node: SyntaxNode): SourceRange => ({ start: braceAt + node.start - 1, end: braceAt + node.end - 1 });
  const options: Record<string, unknown> = {};
  const optionRanges: Record<string, SourceRange> = Object.create(null);
  for (const property of objectNode.properties) {
    const keyName = property.type === "Property" ? literalKeyName(property) : null;
    if (keyName === null || property.type !== "Property") {
      return {
        problem: {
          code: "AUTOMEMO_OPTION_SYNTAX",
          message: `[automemo] Each option of @${kind} must be written 'name: value' (no spreads, methods, shorthand or computed names).`,
          range: toSource(property),
        },
      };
    }
    const value = literalValue(property.value);
    if (value === NOT_A_LITERAL) {
      return {
        problem: {
          code: "AUTOMEMO_OPTION_NOT_LITERAL",
          message: `[automemo] Option '${keyName}' of @${kind} must be a literal (a string, number, boolean, or an array of those), because tag options are read at compile time. Move computed settings to configure() at startup.`,
          range: toSource(property.value),
        },
      };
    }
    if (Object.hasOwn(options, keyName)) {
      return {
        problem: {
          code: "AUTOMEMO_OPTION_DUPLICATE",
          message: `[automemo] Option '${keyName}' of @${kind} is given twice. Keep one.`,
          range: toSource(property),
        },
      };
    }
    // Defined, not assigned: a `__proto__` key stays an own (unknown, so rejected) option.
    Object.defineProperty(options, keyName, { value, enumerable: true, writable: true, configurable: true });
    optionRanges[keyName] = toSource(property);
  }
  return { range, options, optionRanges };
}

function unwrapParens(node: SyntaxNode | null | undefined): SyntaxNode | null {
  let current = node ?? null;
  while (current?.type === "ParenthesizedExpression") current = current.expression;
  return current;
}

function literalKeyName(property: ObjectProperty): string | null {
  if (property.kind !== "init" || property.method || property.shorthand || property.computed) {
    return null;
  }
  if (property.key.type === "Identifier") return property.key.name;
  if (property.key.type === "Literal" && typeof property.key.value === "string") return property.key.value;
  return null;
}

const NOT_A_LITERAL = Symbol("not a literal");

function literalValue(node: SyntaxNode): unknown {
  switch (node.type) {
    case "Literal":
      return typeof node.value === "string" || typeof node.value === "number" || typeof node.value === "boolean"
        ? node.value
        : NOT_A_LITERAL;
    case "TemplateLiteral":
      return node.expressions.length === 0 ? node.quasis[0].value.cooked : NOT_A_LITERAL;
    case "UnaryExpression":
      return node.operator === "-" && node.argument.type === "Literal" && typeof node.argument.value === "number"
        ? -node.argument.value
        : NOT_A_LITERAL;
    case "ArrayExpression": {
      const items: unknown[] = [];
      for (const element of node.elements) {
        if (!element || element.type === "ArrayExpression") return NOT_A_LITERAL;
        const item = literalValue(element);
        if (item === NOT_A_LITERAL) return NOT_A_LITERAL;
        items.push(item);
      }
      return items;
    }
    default:
      return NOT_A_LITERAL;
  }
}
