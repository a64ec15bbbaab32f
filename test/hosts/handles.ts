/**
 * Reads back the handle declarations a host emitted
 * (`const __am_0 = __am_cacheHandle("memo", { id, hash, params, key, options })`)
 * as plain values, so outputs printed differently by each host can be compared.
 */
import { parseSync } from "oxc-parser";
import { ANY_PREFIX } from "../../transformer/core/index.ts";

const CACHE_HANDLE = new RegExp(`^${ANY_PREFIX}cacheHandle$`);

export interface EmittedHandle {
  readonly handle: string;
  readonly kind: unknown;
  readonly meta: unknown;
}

type Node = { type: string; [key: string]: any };

function literalValue(node: Node): unknown {
  switch (node.type) {
    case "Literal":
      return node.value;
    case "ParenthesizedExpression":
      return literalValue(node.expression);
    case "UnaryExpression":
      if (node.operator === "-") return -(literalValue(node.argument) as number);
      break;
    case "ArrayExpression":
      return node.elements.map((element: Node) => literalValue(element));
    case "ObjectExpression":
      return Object.fromEntries(
        node.properties.map((property: Node) => [property.key.type === "Identifier" ? property.key.name : property.key.value, literalValue(property.value)]),
      );
  }
  throw new Error(`not a literal: ${node.type}`);
}

function visit(node: unknown, found: EmittedHandle[]): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, found);
    return;
  }
  if (!node || typeof node !== "object") return;
  const candidate = node as Node;
  if (candidate.type === "VariableDeclarator" && candidate.init?.type === "CallExpression") {
    const { callee, arguments: args } = candidate.init;
    if (callee.type === "Identifier" && CACHE_HANDLE.test(callee.name)) {
      found.push({ handle: candidate.id.name, kind: literalValue(args[0]), meta: literalValue(args[1]) });
    }
  }
  for (const [key, value] of Object.entries(candidate)) if (key !== "parent") visit(value, found);
}

export function emittedHandles(code: string): EmittedHandle[] {
  // Parsed as TypeScript: a host that changed nothing returns the typed input.
  const parsed = parseSync("emitted.ts", code, { sourceType: "unambiguous" });
  if (parsed.errors.length > 0) throw new Error(`emitted code does not parse: ${parsed.errors[0]!.message}\n${code}`);
  const found: EmittedHandle[] = [];
  visit(parsed.program, found);
  return found;
}
