/**
 * Whether a type has automemo's escape hatch, a `[Symbol.for("automemo.hash")]()` method.
 * TypeScript keeps a member named by `Symbol.for(...)` out of the type (its name is not a
 * literal or a unique symbol), so the member is found in the class declarations (and
 * their base classes); a member named by a `const` holding that symbol is in the type.
 */
import type * as TS from "typescript";

const HASH_SYMBOL_KEY = "automemo.hash";
/** How far `const a = b; const b = Symbol.for(...)` chains are followed. */
const MAX_ALIAS_HOPS = 4;

export function hasHashMethod(ts: typeof TS, checker: TS.TypeChecker, type: TS.Type): boolean {
  const seen = new Set<TS.Type>();
  const visit = (current: TS.Type): boolean => {
    if (seen.has(current)) return false;
    seen.add(current);
    for (const property of checker.getPropertiesOfType(current)) {
      if (property.declarations?.some((declaration) => namesHashMethod(ts, checker, declaration))) return true;
    }
    for (const declaration of current.symbol?.declarations ?? []) {
      if ((ts.isClassLike(declaration) || ts.isInterfaceDeclaration(declaration)) && declaration.members.some((member: TS.Node) => namesHashMethod(ts, checker, member))) return true;
    }
    const target = (current as TS.TypeReference).target ?? current;
    if (!(target.flags & ts.TypeFlags.Object) || !((target as TS.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return false;
    return (checker.getBaseTypes(target as TS.InterfaceType) ?? []).some(visit);
  };
  return visit(type);
}

function namesHashMethod(ts: typeof TS, checker: TS.TypeChecker, member: TS.Node): boolean {
  const name = (member as { name?: TS.Node }).name;
  return name !== undefined && ts.isComputedPropertyName(name) && isHashSymbol(ts, checker, name.expression, 0);
}

/** `Symbol.for("automemo.hash")`, or a name bound to it. */
function isHashSymbol(ts: typeof TS, checker: TS.TypeChecker, expression: TS.Expression, hops: number): boolean {
  const inner = ts.skipPartiallyEmittedExpressions(skipParentheses(ts, expression));
  if (ts.isCallExpression(inner)) {
    const callee = inner.expression;
    const [argument] = inner.arguments;
    return (
      ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === "Symbol" &&
      callee.name.text === "for" &&
      argument !== undefined &&
      ts.isStringLiteralLike(argument) &&
      argument.text === HASH_SYMBOL_KEY
    );
  }
  if (hops >= MAX_ALIAS_HOPS || !(ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner))) return false;
  let symbol = checker.getSymbolAtLocation(inner);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  return declaration !== undefined && ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && isHashSymbol(ts, checker, declaration.initializer, hops + 1);
}

function skipParentheses(ts: typeof TS, expression: TS.Expression): TS.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
  return current;
}
