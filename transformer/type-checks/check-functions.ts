/**
 * Type-aware checks of tagged functions, before anything runs: keyed parameters whose
 * type can never be hashed, `@memo` results that are not plain data, and `persist` on
 * results the stores cannot keep. One analysis for the ts-patch host, `automemo check`
 * and the language-service plugin; each turns the findings into its own output.
 */
import type * as TS from "typescript";
import type { ModulePlan, PlannedFunction } from "../core/index.ts";
import { judgeType, type Problem, type RuleContext, type ValuePurpose } from "./type-rules.ts";

/** TypeScript diagnostic codes (`error TS90402`); TS90401 is every tag problem of the plan. */
export const TYPE_CHECK_CODES = {
  AUTOMEMO_UNHASHABLE_PARAM_TYPE: 90402,
  AUTOMEMO_NON_PLAIN_RESULT_TYPE: 90403,
  AUTOMEMO_UNSTORABLE_RESULT_TYPE: 90404,
  AUTOMEMO_MAYBE_UNHASHABLE_PARAM_TYPE: 90405,
  AUTOMEMO_MAYBE_NON_PLAIN_RESULT_TYPE: 90406,
} as const;

type TypeCheckCode = keyof typeof TYPE_CHECK_CODES;

export interface TypeCheckFinding {
  readonly code: TypeCheckCode;
  readonly severity: "error" | "warning";
  /** Starts with `[automemo]`; says what, where and how to fix it. */
  readonly message: string;
  readonly start: number;
  readonly length: number;
}

export interface TypeCheckOptions {
  /** Class or interface names with a hasher registered at run time (`configure({ hashers })`). */
  readonly hashable?: readonly string[];
}

const ARGUMENTS_COUNT = "arguments.length";

/** Checks every planned function of `sourceFile` with the program's type checker. */
export function checkTaggedFunctions(ts: typeof TS, checker: TS.TypeChecker, sourceFile: TS.SourceFile, plan: ModulePlan, options: TypeCheckOptions = {}): TypeCheckFinding[] {
  if (plan.functions.length === 0) return [];
  const context: RuleContext = { ts, checker, hashable: new Set(options.hashable ?? []) };
  const findings: TypeCheckFinding[] = [];
  for (const planned of plan.functions) {
    const node = findFunctionNode(ts, sourceFile, planned);
    if (!node) continue;
    findings.push(...checkKey(context, sourceFile, planned, node), ...checkResult(context, sourceFile, planned, node));
  }
  return findings;
}

/** The function-like node whose body the plan's body range is. */
function findFunctionNode(ts: typeof TS, sourceFile: TS.SourceFile, planned: PlannedFunction): TS.SignatureDeclaration & { body?: TS.Node } | undefined {
  let found: (TS.SignatureDeclaration & { body?: TS.Node }) | undefined;
  const visit = (node: TS.Node): void => {
    if (found || node.pos > planned.body.start || node.end < planned.body.end) return;
    const body = (node as { body?: TS.Node }).body;
    if (ts.isFunctionLike(node) && body && body.end === planned.body.end && body.getStart(sourceFile) === planned.body.start) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function checkKey(context: RuleContext, sourceFile: TS.SourceFile, planned: PlannedFunction, fn: TS.SignatureDeclaration): TypeCheckFinding[] {
  const { ts, checker } = context;
  // `key: "identity"` keys object arguments by identity: any object will do.
  if (planned.kind === "singleton" && planned.meta.options.key === "identity") return [];
  const keyed = new Set(planned.meta.key);
  const findings: TypeCheckFinding[] = [];
  const report = (name: string, kind: "parameter" | "captured variable", at: TS.Node, type: TS.Type): void => {
    const verdict = judgeType(context, type, "key");
    if (verdict.kind !== "ok") findings.push(unhashableFinding(checker, sourceFile, planned, name, kind, at, type, verdict));
  };
  const parameterNames = new Set<string>();
  for (const parameter of fn.parameters) {
    for (const identifier of bindingIdentifiers(ts, parameter.name)) {
      parameterNames.add(identifier.text);
      if (identifier.text === "this" || !keyed.has(identifier.text)) continue;
      report(identifier.text, "parameter", identifier, checker.getTypeAtLocation(identifier));
    }
  }
  for (const name of keyed) {
    if (name === "this" || name === ARGUMENTS_COUNT || parameterNames.has(name)) continue;
    const reference = capturedReference(ts, checker, fn, name);
    if (reference) report(name, "captured variable", reference.node, checker.getTypeOfSymbolAtLocation(reference.symbol, reference.node));
  }
  return findings;
}

function* bindingIdentifiers(ts: typeof TS, name: TS.BindingName): Generator<TS.Identifier> {
  if (ts.isIdentifier(name)) {
    yield name;
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) yield* bindingIdentifiers(ts, element.name);
}

/** The first read of a captured variable inside `fn`, with the symbol it resolves to (declared outside `fn`). */
function capturedReference(ts: typeof TS, checker: TS.TypeChecker, fn: TS.Node, name: string): { node: TS.Identifier; symbol: TS.Symbol } | undefined {
  let found: { node: TS.Identifier; symbol: TS.Symbol } | undefined;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === name) {
      const symbol = checker.getSymbolAtLocation(node);
      const declaration = symbol?.valueDeclaration;
      if (symbol && declaration && (declaration.pos < fn.pos || declaration.end > fn.end)) found = { node, symbol };
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return found;
}

function describe(verdict: Problem, root: string): string {
  return verdict.path === "" ? `${root} is ${verdict.what}` : `${root}${verdict.path} is ${verdict.what}`;
}

function unhashableFinding(
  checker: TS.TypeChecker,
  sourceFile: TS.SourceFile,
  planned: PlannedFunction,
  name: string,
  kind: "parameter" | "captured variable",
  at: TS.Node,
  type: TS.Type,
  verdict: Problem,
): TypeCheckFinding {
  const typeText = checker.typeToString(type);
  const bare = name.replace(/^_+/, "");
  const hasher = verdict.typeName ?? "YourClass";
  const fixes =
    `Fix it in one of these ways:\n` +
    `  - leave it out of the cache key by renaming the ${kind} to '_${bare}';\n` +
    `  - give the class a [Symbol.for("automemo.hash")]() method returning plain data that identifies the value;\n` +
    `  - register a hasher: configure({ hashers: [[${hasher}, (value) => plainData]] }), and list "${hasher}" in the "hashable" option of the automemo/typescript plugin entry.`;
  const where = { start: at.getStart(sourceFile), length: at.getWidth(sourceFile) };
  if (verdict.kind === "never") {
    return {
      code: "AUTOMEMO_UNHASHABLE_PARAM_TYPE",
      severity: "error",
      message: `[automemo] Cannot hash ${kind} '${name}' of ${planned.meta.id}: its type ${typeText} says ${describe(verdict, name)}, which has no by-value hash.\n${fixes}`,
      ...where,
    };
  }
  return {
    code: "AUTOMEMO_MAYBE_UNHASHABLE_PARAM_TYPE",
    severity: "warning",
    message:
      `[automemo] ${kind === "parameter" ? "Parameter" : "Captured variable"} '${name}' of ${planned.meta.id} may not be hashable: its type ${typeText} allows that ${describe(verdict, name)}, ` +
      `which has no by-value hash (such a call throws UnhashableParamError).\n${fixes}`,
    ...where,
  };
}

function checkResult(context: RuleContext, sourceFile: TS.SourceFile, planned: PlannedFunction, fn: TS.SignatureDeclaration): TypeCheckFinding[] {
  if (planned.kind !== "memo") return [];
  const { checker } = context;
  const signature = checker.getSignatureFromDeclaration(fn);
  if (!signature) return [];
  const returned = checker.getReturnTypeOfSignature(signature);
  // The runtime caches what a returned promise resolves to, async keyword or not.
  const result = checker.getAwaitedType(returned) ?? returned;
  const persist = planned.meta.options.persist;
  const store = typeof persist === "string" ? persist : undefined;
  const purpose: ValuePurpose = store !== undefined ? "store" : "result";
  let verdict = judgeType(context, result, "result");
  let stored = false;
  if (verdict.kind !== "never" && store !== undefined) {
    const storeVerdict = judgeType(context, result, purpose);
    if (storeVerdict.kind === "never") {
      verdict = storeVerdict;
      stored = true;
    }
  }
  if (verdict.kind === "ok") return [];
  const at = fn.type ?? fn.name ?? fn;
  const where = { start: at.getStart(sourceFile), length: at.getWidth(sourceFile) };
  const typeText = checker.typeToString(result);
  if (stored) {
    return [
      {
        code: "AUTOMEMO_UNSTORABLE_RESULT_TYPE",
        severity: "error",
        message:
          `[automemo] ${planned.meta.id} uses persist: ${JSON.stringify(store)}, but its result type ${typeText} says ${describe(verdict, "result")}, which the persistent stores cannot keep.\n` +
          `Fix it: return plain data (no functions, symbols or class instances; a URL as its href), or drop persist.`,
        ...where,
      },
    ];
  }
  const plainData =
    `@memo returns a fresh copy of its result on every hit, so results must be plain data ` +
    `(primitives, arrays, plain objects, Map, Set, Date, RegExp, URL, typed arrays, ArrayBuffer, DataView, Error).\n` +
    `Fix it: use @singleton, or return plain data.`;
  if (verdict.kind === "never") {
    return [{ code: "AUTOMEMO_NON_PLAIN_RESULT_TYPE", severity: "error", message: `[automemo] ${planned.meta.id} is @memo, but its result type ${typeText} says ${describe(verdict, "result")}.\n${plainData}`, ...where }];
  }
  return [
    {
      code: "AUTOMEMO_MAYBE_NON_PLAIN_RESULT_TYPE",
      severity: "warning",
      message: `[automemo] ${planned.meta.id} is @memo, but its result type ${typeText} allows that ${describe(verdict, "result")} (such a result throws UnserializableReturnValueError).\n${plainData}`,
      ...where,
    },
  ];
}

/** A finding as a TypeScript diagnostic of the file (the automemo code ends the message, as for tag problems). */
export function toTypeCheckDiagnostic(ts: typeof TS, sourceFile: TS.SourceFile, finding: TypeCheckFinding): TS.Diagnostic {
  return {
    file: sourceFile,
    start: finding.start,
    length: finding.length,
    messageText: `${finding.message} (${finding.code})`,
    category: finding.severity === "error" ? ts.DiagnosticCategory.Error : ts.DiagnosticCategory.Warning,
    code: TYPE_CHECK_CODES[finding.code],
    source: "automemo",
  };
}
