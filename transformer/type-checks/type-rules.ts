/**
 * The runtime's value rules (runtime/hash/structural.ts for keys, runtime/copy/snapshot.ts
 * for `@memo` results, runtime/stores/exact-payload.ts for persisted results) read off
 * TypeScript types. A type gets a verdict only when it says so for certain: `any`,
 * `unknown`, `object`, type parameters and interfaces a class instance could satisfy
 * are never reported. A union whose members disagree is "maybe" (a warning).
 */
import type * as TS from "typescript";
import { ERROR_NAMES, TYPED_ARRAY_NAMES } from "../../runtime/hash/kinds.ts";
import { hasHashMethod } from "./hash-method.ts";

/** What a value of the type is checked for: a cache key, a `@memo` result, a persisted result. */
export type ValuePurpose = "key" | "result" | "store";

/** `path`: where inside the value (`.client`, `[number]`); `what`: `a function`, `an instance of class Db`; `typeName`: the class to register a hasher for. */
export interface Problem {
  readonly kind: "never" | "maybe";
  readonly path: string;
  readonly what: string;
  readonly typeName?: string;
}

export type Verdict = { readonly kind: "ok" } | Problem;

const OK: Verdict = { kind: "ok" };

/** Built-ins both the hasher and the copier accept (exact prototypes in runtime/hash/kinds.ts, whose lists these are). */
const BINARY_AND_SCALAR = new Set<string>(["Date", "RegExp", "ArrayBuffer", "DataView", "Buffer", ...TYPED_ARRAY_NAMES]);
/** Hashed and copied, but refused by the persistent stores (exact-payload.ts). */
const URL_LIKE = new Set(["URL", "URLSearchParams"]);
/** Copied (and stored) as results; keys need an escape hatch. */
const ERRORS = new Set(ERROR_NAMES);
const MAPS = new Set(["Map", "ReadonlyMap"]);
const SETS = new Set(["Set", "ReadonlySet"]);
/** Built-in interfaces no value of which is ever plain data. */
const NEVER_PLAIN: ReadonlyMap<string, string> = new Map([
  ["Promise", "a Promise"],
  ["PromiseLike", "a Promise"],
  ["WeakMap", "a WeakMap"],
  ["WeakSet", "a WeakSet"],
  ["WeakRef", "a WeakRef"],
  ["FinalizationRegistry", "a FinalizationRegistry"],
  ["Function", "a function"],
  ["CallableFunction", "a function"],
  ["NewableFunction", "a function"],
  ["ReadableStream", "a stream"],
  ["WritableStream", "a stream"],
  ["TransformStream", "a stream"],
  ["Generator", "a generator"],
  ["AsyncGenerator", "a generator"],
  ["Iterator", "an iterator"],
  ["AsyncIterator", "an iterator"],
  ["IterableIterator", "an iterator"],
  ["AsyncIterableIterator", "an iterator"],
  ["IteratorObject", "an iterator"],
  ["AsyncIteratorObject", "an iterator"],
  ["MapIterator", "an iterator"],
  ["SetIterator", "an iterator"],
  ["ArrayIterator", "an iterator"],
  ["StringIterator", "an iterator"],
  ["RegExpStringIterator", "an iterator"],
  ["BuiltinIterator", "an iterator"],
]);
/** Interfaces whose values may be primitives or objects of any kind: no verdict. */
const AMBIGUOUS = new Set(["Object", "String", "Number", "Boolean", "Symbol", "BigInt", "Iterable", "AsyncIterable", "ArrayLike"]);

/** Nesting depth past which a type is taken as fine (deep generic types would cost time and say little). */
const MAX_DEPTH = 6;

export interface RuleContext {
  readonly ts: typeof TS;
  readonly checker: TS.TypeChecker;
  /** Class or interface names with a hasher registered through `configure({ hashers })` (the plugin's `hashable` option). */
  readonly hashable: ReadonlySet<string>;
}

/** The verdict for a value of `type` used as `purpose`. */
export function judgeType(context: RuleContext, type: TS.Type, purpose: ValuePurpose): Verdict {
  return judge(context, type, purpose, 0, new Set());
}

function judge(context: RuleContext, type: TS.Type, purpose: ValuePurpose, depth: number, active: Set<TS.Type>): Verdict {
  const { ts } = context;
  const flags = type.flags;
  if (depth > MAX_DEPTH || active.has(type)) return OK;
  if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.TypeParameter | ts.TypeFlags.NonPrimitive | ts.TypeFlags.Index | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Conditional | ts.TypeFlags.Substitution)) return OK;
  if (flags & ts.TypeFlags.ESSymbol) return purpose === "store" ? never("", "a symbol") : OK;
  if (flags & ts.TypeFlags.UniqueESSymbol) return judgeUniqueSymbol(context, type, purpose);
  if (flags & PRIMITIVE_FLAGS(ts)) return OK;
  active.add(type);
  try {
    if (type.isUnion()) return judgeUnion(context, type, purpose, depth, active);
    if (type.isIntersection()) {
      // A branded primitive (`string & { __brand: "Id" }`) is the primitive at run time.
      if (type.types.some((member) => member.flags & (PRIMITIVE_FLAGS(ts) | ts.TypeFlags.TypeParameter))) return OK;
    }
    if (flags & ts.TypeFlags.Object || type.isIntersection()) return judgeObject(context, type, purpose, depth, active);
    return OK;
  } finally {
    active.delete(type);
  }
}

/** Values that are primitives (symbols are judged apart). */
const PRIMITIVE_FLAGS = (ts: typeof TS): number =>
  ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void | ts.TypeFlags.EnumLike;

function never(path: string, what: string, typeName?: string): Verdict {
  return { kind: "never", path, what, typeName };
}

function within(verdict: Verdict, step: string): Verdict {
  return verdict.kind === "ok" ? verdict : { ...verdict, path: `${step}${verdict.path}` };
}

/** What some values of the type may be, not all. */
function maybe(problem: Problem): Problem {
  return { ...problem, kind: "maybe" };
}

/** `const s = Symbol()` is unique and unregistered; `Symbol.for(...)` is registered (hashed by its key). */
function judgeUniqueSymbol(context: RuleContext, type: TS.Type, purpose: ValuePurpose): Verdict {
  if (purpose === "store") return never("", "a symbol");
  const declaration = type.symbol?.valueDeclaration;
  const { ts } = context;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isCallExpression(declaration.initializer)) {
    const callee = declaration.initializer.expression;
    if (ts.isIdentifier(callee) && callee.text === "Symbol") return never("", "a unique symbol (made by Symbol(), not Symbol.for())");
  }
  return OK;
}

function judgeUnion(context: RuleContext, type: TS.UnionType, purpose: ValuePurpose, depth: number, active: Set<TS.Type>): Verdict {
  let failed: Problem | undefined;
  let someFine = false;
  for (const member of type.types) {
    const verdict = judge(context, member, purpose, depth, active);
    if (verdict.kind === "ok") someFine = true;
    else if (verdict.kind === "maybe") {
      someFine = true;
      failed ??= verdict;
    } else failed ??= verdict;
  }
  if (!failed) return OK;
  return someFine ? maybe(failed) : failed;
}

/** The name a built-in is known by, when its declarations are all in declaration files (a user class named `Map` is not the built-in). */
function builtinName(context: RuleContext, type: TS.Type): string | undefined {
  const symbol = type.aliasSymbol && !type.symbol ? type.aliasSymbol : type.symbol;
  const declarations = symbol?.declarations;
  if (!declarations || declarations.length === 0) return undefined;
  if (!declarations.every((declaration) => declaration.getSourceFile().isDeclarationFile)) return undefined;
  if (declarations.some((declaration) => context.ts.isClassDeclaration(declaration))) return undefined;
  return symbol.name;
}

function judgeObject(context: RuleContext, type: TS.Type, purpose: ValuePurpose, depth: number, active: Set<TS.Type>): Verdict {
  const { ts, checker } = context;
  if (checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as TS.TypeReference);
    for (let index = 0; index < elements.length; index++) {
      const verdict = judge(context, elements[index]!, purpose, depth + 1, active);
      if (verdict.kind !== "ok") return within(verdict, `[${index}]`);
    }
    return OK;
  }
  if (checker.isArrayType(type)) {
    const [element] = checker.getTypeArguments(type as TS.TypeReference);
    return element ? within(judge(context, element, purpose, depth + 1, active), "[number]") : OK;
  }
  const name = builtinName(context, type);
  if (name !== undefined) {
    const verdict = judgeBuiltin(context, type, name, purpose, depth, active);
    if (verdict !== undefined) return verdict;
  }
  const escapes = purpose === "key" && (hasHashMethod(ts, checker, type) || isRegistered(context, type));
  if (escapes) return OK;
  const classSymbol = classOf(context, type);
  if (classSymbol) return never("", `an instance of class ${classSymbol.name}`, classSymbol.name);
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return never("", "a function");
  return judgeMembers(context, type, purpose, depth, active);
}

/** `undefined` when the name is a built-in these rules leave to the structural check. */
function judgeBuiltin(context: RuleContext, type: TS.Type, name: string, purpose: ValuePurpose, depth: number, active: Set<TS.Type>): Verdict | undefined {
  if (AMBIGUOUS.has(name)) return OK;
  if (BINARY_AND_SCALAR.has(name)) return OK;
  if (URL_LIKE.has(name)) return purpose === "store" ? never("", name === "URL" ? "a URL" : "a URLSearchParams") : OK;
  if (ERRORS.has(name)) return purpose === "key" && !isRegistered(context, type) && !hasHashMethod(context.ts, context.checker, type) ? never("", `an ${name}`, name) : OK;
  const plainWhat = NEVER_PLAIN.get(name);
  if (plainWhat !== undefined) {
    if (purpose === "key" && (isRegistered(context, type) || hasHashMethod(context.ts, context.checker, type))) return OK;
    return never("", plainWhat, name);
  }
  if (MAPS.has(name) || SETS.has(name)) {
    const args = context.checker.getTypeArguments(type as TS.TypeReference);
    const steps = MAPS.has(name) ? ["<key>", "<value>"] : ["<member>"];
    for (let index = 0; index < steps.length && index < args.length; index++) {
      const verdict = judge(context, args[index]!, purpose, depth + 1, active);
      if (verdict.kind !== "ok") return within(verdict, steps[index]!);
    }
    return OK;
  }
  return undefined;
}

/** The class a type is an instance of (the type of `new C()`), if it is one. */
function classOf(context: RuleContext, type: TS.Type): TS.Symbol | undefined {
  const symbol = type.symbol;
  if (!symbol || !(symbol.flags & context.ts.SymbolFlags.Class)) return undefined;
  // `typeof C` (the constructor) is a function, judged as one.
  if (type.getConstructSignatures().length > 0) return undefined;
  return symbol;
}

/** Registered by name (the plugin's `hashable` option); the runtime matches with `instanceof`, so subclasses count. */
function isRegistered(context: RuleContext, type: TS.Type): boolean {
  if (context.hashable.size === 0) return false;
  const seen = new Set<TS.Type>();
  const visit = (current: TS.Type): boolean => {
    if (seen.has(current)) return false;
    seen.add(current);
    const names = [current.symbol?.name, current.aliasSymbol?.name];
    if (names.some((name) => name !== undefined && context.hashable.has(name))) return true;
    const target = (current as TS.TypeReference).target ?? current;
    if (!(target.flags & context.ts.TypeFlags.Object) || !((target as TS.ObjectType).objectFlags & context.ts.ObjectFlags.ClassOrInterface)) return false;
    return (context.checker.getBaseTypes(target as TS.InterfaceType) ?? []).some(visit);
  };
  return visit(type);
}

/** A plain object's own properties (and index signatures), as the hasher and the copier walk them. */
function judgeMembers(context: RuleContext, type: TS.Type, purpose: ValuePurpose, depth: number, active: Set<TS.Type>): Verdict {
  const { ts, checker } = context;
  let possible: Problem | undefined;
  for (const property of checker.getPropertiesOfType(type)) {
    // Symbol-keyed members (`__@...`): the hash method itself, or keys the type cannot name for certain.
    if (property.escapedName.toString().startsWith("__@")) continue;
    const step = /^[A-Za-z_$][\w$]*$/.test(property.name) ? `.${property.name}` : `[${JSON.stringify(property.name)}]`;
    const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
    const verdict =
      property.flags & ts.SymbolFlags.Method
        ? never("", "a function")
        : judge(context, checker.getNonNullableType(checker.getTypeOfSymbol(property)), purpose, depth + 1, active);
    if (verdict.kind === "never" && !optional) return within(verdict, step);
    if (verdict.kind !== "ok") possible ??= maybe({ ...verdict, path: `${step}${verdict.path}` });
  }
  for (const info of checker.getIndexInfosOfType(type)) {
    // A record may be empty: what its values cannot be is a warning, not an error.
    const verdict = judge(context, info.type, purpose, depth + 1, active);
    if (verdict.kind !== "ok") possible ??= maybe({ ...verdict, path: `[string]${verdict.path}` });
  }
  return possible ?? OK;
}
