import type * as TS from "typescript";
import { type ModulePlan, type PlanDiagnostic, type PlannedFunction } from "../core/index.ts";
import { handleMetaEntries, lookupShape, runtimeBindings } from "./emit-shape.ts";

const IDENTIFIER_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/** How the emitted preamble reaches the runtime. */
export type RuntimeAccess = "import" | "require";

/**
 * Applies a `ModulePlan` to one TypeScript source file with the transformation
 * context's factory. Planned functions are found by the start of their body
 * (`{`, or the concise expression), which is the same offset in oxc and in TS.
 */
export class TsPlanEmitter {
  private readonly factory: TS.NodeFactory;
  private readonly byBodyStart: Map<number, PlannedFunction>;
  /** `bindFunction` calls that follow the statement ending at the key offset. */
  private readonly bindAfter = new Map<number, PlannedFunction[]>();
  private readonly wrapped = new Set<PlannedFunction>();

  constructor(
    private readonly ts: typeof TS,
    private readonly context: TS.TransformationContext,
    private readonly sourceFile: TS.SourceFile,
    private readonly plan: ModulePlan,
    private readonly runtimeAccess: RuntimeAccess,
  ) {
    this.factory = context.factory;
    this.byBodyStart = new Map(plan.functions.map((planned) => [planned.body.start, planned]));
    for (const planned of plan.functions) {
      const at = planned.bindFunction?.insertAt;
      if (typeof at === "number") this.bindAfter.set(at, [...(this.bindAfter.get(at) ?? []), planned]);
    }
  }

  /**
   * The rewritten file, or the problems that stopped it: a planned function missing
   * from TypeScript's AST means another transformer replaced it before automemo ran.
   */
  emit(): { readonly file: TS.SourceFile } | { readonly problems: PlanDiagnostic[] } {
    const { sourceFile, plan } = this;
    const visited = this.ts.visitEachChild(sourceFile, this.visit, this.context);
    const problems: PlanDiagnostic[] = plan.functions
      .filter((planned) => !this.wrapped.has(planned))
      .map((missing) => ({
        code: "AUTOMEMO_HOST_MISMATCH",
        message:
          `[automemo] Could not find ${missing.meta.id} in TypeScript's AST: another transformer rewrote it before automemo ran. ` +
          `List automemo first in your "before" transformers.`,
        range: missing.tag,
      }));
    if (problems.length > 0) return { problems };
    const statements = [...visited.statements];
    const insertAt = statements.findIndex((statement) => {
      const original = this.ts.getOriginalNode(statement);
      return original.pos >= 0 && original.getStart(sourceFile) >= plan.preambleAt;
    });
    const preamble = [
      ...(plan.hasRuntimeImport ? [] : [this.runtimeStatement()]),
      ...plan.functions.map((planned) => this.handleDeclaration(planned)),
      ...plan.functions.filter((planned) => planned.bindFunction?.insertAt === "preamble").map((planned) => this.bindStatement(planned)),
    ];
    statements.splice(insertAt === -1 ? statements.length : insertAt, 0, ...preamble);
    return { file: this.factory.updateSourceFile(visited, statements) };
  }

  private readonly visit = (node: TS.Node): TS.VisitResult<TS.Node> => {
    const declared = this.plannedDeclaration(node);
    if (declared) {
      this.wrapped.add(declared);
      return this.declareWrapperBeside(this.ts.visitEachChild(node, this.visit, this.context) as TS.FunctionDeclaration, declared);
    }
    const planned = this.plannedBody(node);
    // Children first, so annotated functions nested in this body are rewritten too.
    const visited = this.ts.visitEachChild(node, this.visit, this.context);
    if (planned) {
      this.wrapped.add(planned);
      return this.wrapBody(visited as TS.ConciseBody, planned);
    }
    const bound = this.bindingsAfter(node);
    return bound ? [visited, ...bound.map((fn) => this.bindStatement(fn))] : visited;
  };

  /** Functions whose `bindFunction` call follows `node`, when `node` is a statement in a statement list. */
  private bindingsAfter(node: TS.Node): PlannedFunction[] | undefined {
    const { ts } = this;
    if (node.pos < 0 || this.bindAfter.size === 0) return undefined;
    const list = node.parent;
    const inStatementList = list && (ts.isSourceFile(list) || ts.isBlock(list) || ts.isModuleBlock(list) || ts.isCaseOrDefaultClause(list));
    return inStatementList ? this.bindAfter.get(node.end) : undefined;
  }

  private plannedBody(node: TS.Node): PlannedFunction | undefined {
    if (node.pos < 0) return undefined;
    const parent = node.parent as (TS.Node & { body?: TS.Node }) | undefined;
    if (!parent || !this.ts.isFunctionLike(parent) || parent.body !== node) return undefined;
    const planned = this.byBodyStart.get(node.getStart(this.sourceFile));
    // A sibling-shaped declaration is rewritten as a whole (plannedDeclaration).
    return planned?.sibling && this.ts.isFunctionDeclaration(parent) ? undefined : planned;
  }

  /** A function declaration planned with the sibling shape (core/sibling-shape.ts). */
  private plannedDeclaration(node: TS.Node): PlannedFunction | undefined {
    if (node.pos < 0 || !this.ts.isFunctionDeclaration(node) || !node.body || node.body.pos < 0) return undefined;
    const planned = this.byBodyStart.get(node.body.getStart(this.sourceFile));
    return planned?.sibling ? planned : undefined;
  }

  /**
   * `function f(a = 1) { BODY }` => `function f(a = 1) { lookup; return h.settleCall(__am_f0, void 0, a); } function __am_f0(a) { BODY }`:
   * the wrapper keeps the name, modifiers, parameters, types and comments; the body stays at its depth.
   */
  private declareWrapperBeside(fn: TS.FunctionDeclaration, planned: PlannedFunction): TS.Statement[] {
    const { ts, factory } = this;
    const sibling = planned.sibling!;
    const args = sibling.paramNames.map((name) => factory.createIdentifier(name));
    // `h.settleCall(__am_f0, void 0, a, b)`: no closure over the parameters, so a hit allocates nothing.
    const self = sibling.passesThis ? factory.createThis() : factory.createVoidZero();
    const settle = factory.createCallExpression(factory.createPropertyAccessExpression(factory.createIdentifier(planned.handleName), "settleCall"), undefined, [
      factory.createIdentifier(sibling.computeName),
      self,
      ...args,
    ]);
    const wrapper = factory.updateFunctionDeclaration(
      fn,
      fn.modifiers,
      fn.asteriskToken,
      fn.name,
      fn.typeParameters,
      fn.parameters,
      fn.type,
      factory.createBlock([...this.lookupStatements(planned), factory.createReturnStatement(settle)], true),
    );
    const asyncOnly = fn.modifiers?.filter((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword);
    const parameters = sibling.paramNames.map((name) => factory.createParameterDeclaration(undefined, undefined, name));
    const compute = factory.createFunctionDeclaration(asyncOnly, undefined, sibling.computeName, undefined, parameters, undefined, fn.body);
    // Maps only: a text range would print the declaration's comments a second time.
    return [wrapper, ts.setSourceMapRange(compute, fn)];
  }

  /** `{ prologue; const __am_r = lookup; if (__am_r !== MISS) return __am_r; return handle.settle(() => ORIGINAL); }` */
  private wrapBody(body: TS.ConciseBody, planned: PlannedFunction): TS.Block {
    const { ts, factory } = this;
    let prologue: TS.Statement[] = [];
    let computeBody: TS.ConciseBody = body;
    if (ts.isBlock(body)) {
      const prologueLength = body.statements.findIndex((statement) => !(ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression)));
      const cut = prologueLength === -1 ? body.statements.length : prologueLength;
      if (cut > 0) {
        prologue = body.statements.slice(0, cut);
        computeBody = factory.updateBlock(body, body.statements.slice(cut));
      }
    }
    const compute = factory.createArrowFunction(
      planned.isAsync ? [factory.createModifier(ts.SyntaxKind.AsyncKeyword)] : undefined,
      undefined,
      [],
      undefined,
      factory.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
      computeBody,
    );
    const wrapper = factory.createBlock(
      [
        ...prologue,
        ...this.lookupStatements(planned),
        factory.createReturnStatement(factory.createCallExpression(factory.createPropertyAccessExpression(factory.createIdentifier(planned.handleName), "settle"), undefined, [compute])),
      ],
      true,
    );
    // Map the wrapper to the original body (maps only: a text range would emit the body's comments twice).
    return ts.setSourceMapRange(wrapper, body);
  }

  /** `const __am_r = lookup; if (__am_r !== MISS) return __am_r;` */
  private lookupStatements(planned: PlannedFunction): TS.Statement[] {
    const { ts, factory } = this;
    const { names } = this.plan;
    const result = () => factory.createIdentifier(names.lookupResult);
    return [
      factory.createVariableStatement(
        undefined,
        factory.createVariableDeclarationList([factory.createVariableDeclaration(result(), undefined, undefined, this.lookupCall(planned))], ts.NodeFlags.Const),
      ),
      factory.createIfStatement(
        factory.createBinaryExpression(result(), ts.SyntaxKind.ExclamationEqualsEqualsToken, factory.createIdentifier(names.miss)),
        factory.createReturnStatement(result()),
      ),
    ];
  }

  /** `__am_0.bindFunction(name);` lets `stats(fn)` / `clear(fn)` find the handle from the function. */
  private bindStatement(planned: PlannedFunction): TS.Statement {
    const { factory } = this;
    const callee = factory.createPropertyAccessExpression(factory.createIdentifier(planned.handleName), this.plan.names.bindFunction);
    return factory.createExpressionStatement(factory.createCallExpression(callee, undefined, [factory.createIdentifier(planned.bindFunction!.name)]));
  }

  private lookupCall(planned: PlannedFunction): TS.CallExpression {
    const { factory } = this;
    const shape = lookupShape(planned.keyExpressions.length);
    const components = planned.keyExpressions.map((expression) => this.keyExpression(expression));
    const callee = factory.createPropertyAccessExpression(factory.createIdentifier(planned.handleName), shape.method);
    return factory.createCallExpression(callee, undefined, shape.packed ? [factory.createArrayLiteralExpression(components)] : components);
  }

  /** Key expressions are `this` or names in scope (parameters, captured variables). */
  private keyExpression(text: string): TS.Expression {
    return text === "this" ? this.factory.createThis() : this.factory.createIdentifier(text);
  }

  private runtimeStatement(): TS.Statement {
    const { ts, factory, plan } = this;
    const bindings = runtimeBindings(plan.names);
    const source = factory.createStringLiteral(plan.runtimeModule);
    if (this.runtimeAccess === "import") {
      const specifiers = bindings.map(([imported, local]) => factory.createImportSpecifier(false, factory.createIdentifier(imported), factory.createIdentifier(local)));
      return factory.createImportDeclaration(undefined, factory.createImportClause(false, undefined, factory.createNamedImports(specifiers)), source);
    }
    const pattern = factory.createObjectBindingPattern(bindings.map(([imported, local]) => factory.createBindingElement(undefined, imported, local)));
    const call = factory.createCallExpression(factory.createIdentifier("require"), undefined, [source]);
    return factory.createVariableStatement(undefined, factory.createVariableDeclarationList([factory.createVariableDeclaration(pattern, undefined, undefined, call)], ts.NodeFlags.Const));
  }

  private handleDeclaration(planned: PlannedFunction): TS.Statement {
    const { ts, factory } = this;
    const meta = factory.createObjectLiteralExpression(
      handleMetaEntries(planned.meta).map(([key, value]) => factory.createPropertyAssignment(key, this.literal(value))),
      false,
    );
    const create = factory.createCallExpression(factory.createIdentifier(this.plan.names.cacheHandle), undefined, [factory.createStringLiteral(planned.kind), meta]);
    return factory.createVariableStatement(
      undefined,
      factory.createVariableDeclarationList([factory.createVariableDeclaration(planned.handleName, undefined, undefined, create)], ts.NodeFlags.Const),
    );
  }

  /** Tag options are literals only (strings, numbers, booleans, arrays, plain objects). */
  private literal(value: unknown): TS.Expression {
    const { ts, factory } = this;
    if (typeof value === "string") return factory.createStringLiteral(value);
    if (typeof value === "boolean") return value ? factory.createTrue() : factory.createFalse();
    if (value === null) return factory.createNull();
    if (typeof value === "number") {
      const magnitude = factory.createNumericLiteral(Math.abs(value));
      return value < 0 || Object.is(value, -0) ? factory.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, magnitude) : magnitude;
    }
    if (Array.isArray(value)) return factory.createArrayLiteralExpression(value.map((item) => this.literal(item)));
    if (typeof value === "object") {
      return factory.createObjectLiteralExpression(
        Object.entries(value).map(([key, item]) =>
          factory.createPropertyAssignment(IDENTIFIER_NAME.test(key) ? key : factory.createStringLiteral(key), this.literal(item)),
        ),
      );
    }
    throw new TypeError(`[automemo] internal: cannot emit ${typeof value} as a literal`);
  }
}
