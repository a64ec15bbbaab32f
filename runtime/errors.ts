/**
 * Every error automemo throws. One class per kind, each with a stable `code` that
 * programs can match on; every message starts with `[automemo]` and says what went
 * wrong, where, and how to fix it.
 */
export class AutomemoError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`[automemo] ${message}`, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** `a Promise`, `an Invoice`, `an object`: the article English wants before a type name. */
export function withArticle(type: string): string {
  // Class names starting with a capital U are said "you": a URL, a Uint8Array, a URLSearchParams.
  return `${/^[aeio]|^u/.test(type) || /^[AEIO]/.test(type) ? "an" : "a"} ${type}`;
}

/** Where a value sits inside an argument or result: `options.client`, `rows[3]`. */
function formatPath(root: string, path: readonly (string | number)[]): string {
  let out = root;
  for (const step of path) {
    out += typeof step === "number" ? `[${step}]` : /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** The constructor name of a value, for messages: `Foo`, `Promise`, `function`, `symbol`. */
function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return value.name ? `function ${value.name}` : "function";
  if (typeof value !== "object") return typeof value;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return "null-prototype object";
  const name = proto.constructor?.name;
  return typeof name === "string" && name ? name : "object";
}

export interface UnhashableDetails {
  /** Function id (`src/db.ts#loadRows`). */
  readonly functionId: string;
  /** Parameter (or captured variable) name. */
  readonly param: string;
  /** Zero-based position among the function's key components. */
  readonly position: number;
  /** Path inside the argument where the unhashable value sits (empty for the argument itself). */
  readonly path: readonly (string | number)[];
  /** The offending value (used only to describe its type). */
  readonly value: unknown;
  /** Why a value of a hashable type is refused: `has a non-enumerable own property 'x'`. */
  readonly reason?: string;
}

/** An argument (or something inside it) has no by-value hash. */
export class UnhashableParamError extends AutomemoError {
  readonly functionId: string;
  readonly param: string;
  readonly path: string;
  readonly valueType: string;

  constructor(details: UnhashableDetails) {
    const where = formatPath(details.param, details.path);
    const type = describeType(details.value);
    super(
      "UNHASHABLE_PARAM",
      `Cannot hash argument '${details.param}' (position ${details.position}) of ${details.functionId}: ` +
        (details.reason === undefined
          ? `${where} is ${withArticle(type)}, which has no by-value hash.\n`
          : `${where} is ${withArticle(type)} that ${details.reason}; a key that left this out could answer for a value that behaves differently.\n`) +
        `Fix it in one of these ways:\n` +
        `  - leave it out of the cache key by renaming the parameter to '_${details.param.replace(/^_+/, "")}';\n` +
        `  - give the class a [Symbol.for("automemo.hash")]() method returning plain data that identifies the value;\n` +
        `  - register a hasher: configure({ hashers: [[${type.replace(/^function /, "")}, (value) => plainData]] }).`,
    );
    this.functionId = details.functionId;
    this.param = details.param;
    this.path = where;
    this.valueType = type;
  }
}

/** A user-supplied hasher (or `[Symbol.for("automemo.hash")]` method) threw. */
export class HasherError extends AutomemoError {
  readonly functionId: string;
  readonly path: string;

  constructor(details: Omit<UnhashableDetails, "position"> & { cause: unknown }) {
    const where = formatPath(details.param, details.path);
    const reason = details.cause instanceof Error ? details.cause.message : String(details.cause);
    super(
      "HASHER_FAILED",
      `The custom hasher for ${describeType(details.value)} threw while hashing ${where} of ${details.functionId}: ${reason}`,
      { cause: details.cause },
    );
    this.functionId = details.functionId;
    this.path = where;
  }
}

/** A `@memo` result that cannot be copied (memo returns results by value). */
export class UnserializableReturnValueError extends AutomemoError {
  readonly functionId: string;
  readonly path: string;
  readonly valueType: string;

  constructor(details: { functionId: string; path: readonly (string | number)[]; value: unknown; reason?: string }) {
    const where = formatPath("result", details.path);
    const type = describeType(details.value);
    super(
      "UNSERIALIZABLE_RETURN_VALUE",
      `${details.functionId} returned a value that cannot be copied exactly: ${where} is ${withArticle(type)}${details.reason === undefined ? "" : ` that ${details.reason}`}.\n` +
        `@memo returns a fresh copy of its result on every hit, so results must be plain data ` +
        `(primitives, arrays, plain objects, Map, Set, Date, RegExp, URL, typed arrays, ArrayBuffer, DataView, Error).\n` +
        `Fix it: return plain data, or use @singleton to share one live object by reference.`,
    );
    this.functionId = details.functionId;
    this.path = where;
    this.valueType = type;
  }
}

/** A bad option in a tag, in `memo(fn, meta)` or in `configure()`. */
export class InvalidOptionError extends AutomemoError {
  readonly option: string;
  readonly where: string;

  constructor(details: { option: string; where: string; problem: string; fix: string }) {
    super("INVALID_OPTION", `Invalid option '${details.option}' in ${details.where}: ${details.problem}. ${details.fix}`);
    this.option = details.option;
    this.where = details.where;
  }
}

/** `persist: "<name>"` names a store that is neither built in nor registered. */
export class UnknownStoreError extends AutomemoError {
  readonly store: string;

  constructor(details: { store: string; known: readonly string[] }) {
    super(
      "UNKNOWN_STORE",
      `No cache store named '${details.store}'. Known stores: ${details.known.map((name) => `'${name}'`).join(", ")}.\n` +
        `Fix it: use persist: "disk" or "redis", or register the store first with configure({ stores: { ${JSON.stringify(details.store)}: myStore } }).`,
    );
    this.store = details.store;
  }
}

/** A synchronous function persists to a store that can only be read asynchronously (Redis). */
export class SyncStoreUnsupportedError extends AutomemoError {
  readonly functionId: string;
  readonly store: string;

  constructor(details: { functionId: string; store: string }) {
    super(
      "STORE_NOT_SYNC",
      `${details.functionId} is synchronous but uses persist: "${details.store}", and the '${details.store}' store can only be read asynchronously.\n` +
        `Fix it: make the function async (return a promise), or use persist: "disk", which also works for synchronous functions.`,
    );
    this.functionId = details.functionId;
    this.store = details.store;
  }
}

/** An optional peer dependency (the `redis` client) is needed but not installed. */
export class MissingPeerDependencyError extends AutomemoError {
  readonly packageName: string;

  constructor(details: { packageName: string; feature: string; cause?: unknown }) {
    super(
      "MISSING_PEER_DEPENDENCY",
      `${details.feature} needs the '${details.packageName}' package, which could not be loaded.\n` +
        `Fix it: npm install ${details.packageName}, or pass a connected client with configure({ redisClient }).`,
      { cause: details.cause },
    );
    this.packageName = details.packageName;
  }
}

/** A Node-only feature (a persistent store) was used where Node built-ins are unavailable (a browser bundle). */
export class NodeOnlyFeatureError extends AutomemoError {
  readonly feature: string;

  constructor(details: { feature: string; module: string }) {
    super(
      "NODE_ONLY_FEATURE",
      `${details.feature} needs the Node.js module '${details.module}' (Node 20.16 or newer), which this platform does not provide.\n` +
        `Fix it: leave out the persist option for code that runs in the browser, or run it on Node.js 20.16+.`,
    );
    this.feature = details.feature;
  }
}

/** `clear(fn)`, `stats(fn)` or `configure(fn, ...)` got a function automemo does not know. */
export class UnknownFunctionError extends AutomemoError {
  constructor(details: { what: string; operation: string }) {
    super(
      "UNKNOWN_FUNCTION",
      `${details.operation} got ${details.what}, which is not a cached function (or its handle was never bound to it).\n` +
        `Fix it: pass the function returned by memo()/singleton(), a function annotated with @memo/@singleton, ` +
        `or the function id as a string ("src/db.ts#loadRows").`,
    );
  }
}

/** `clear(fn, ...args)` cannot rebuild the key of one call of this function. */
export class ClearKeyError extends AutomemoError {
  readonly functionId: string;

  /** `component`: the key component that cannot be rebuilt; without it, `reason` describes the whole problem. */
  constructor(details: { functionId: string; component?: string; reason: string }) {
    const problem = details.component === undefined ? details.reason : `key component '${details.component}' ${details.reason}`;
    super(
      "CLEAR_KEY_UNAVAILABLE",
      `clear(fn, ...args) cannot rebuild the key of ${details.functionId}: ${problem}.\n` +
        `Fix it: call clear(fn) to drop every entry of the function.`,
    );
    this.functionId = details.functionId;
  }
}

/** `handle.settle(compute)` without the lookup that answered MISS right before it (hand-written emitted code). */
export class SettleWithoutMissError extends AutomemoError {
  constructor(details: { functionId: string }) {
    super(
      "SETTLE_WITHOUT_MISS",
      `settle() was called on the handle of ${details.functionId}, but no lookup answered MISS just before it.\n` +
        `Fix it: call settle() only right after get0()...getN() returned MISS, with nothing in between: ` +
        `const r = h.get1(x); if (r !== MISS) return r; return h.settle(() => compute(x));`,
    );
  }
}

/**
 * An async computation awaits its own pending result (A(k) -> ... -> A(k), same key):
 * it could never settle. Untransformed, the same code would recurse without end.
 */
export class ComputeCycleError extends AutomemoError {
  /** The function ids along the cycle, starting and ending with the function whose result is awaited. */
  readonly cycle: readonly string[];

  constructor(details: { cycle: readonly string[] }) {
    const [first] = details.cycle;
    const direct = details.cycle.length === 2;
    super(
      "COMPUTE_CYCLE",
      `${first} awaits its own pending result: ${details.cycle.join(" -> ")}, ` +
        `${direct ? "called again with the same key" : "each step with the key it is computing, back to the same key of the first"}. ` +
        `That computation is still running, so the await could never settle (untransformed, this code would recurse without end).\n` +
        `Fix it: give the recursion a base case that changes the arguments, or move the shared work into an uncached inner function ` +
        `that both call (a cached function calling an uncached helper never waits for itself).`,
    );
    this.cycle = details.cycle;
  }
}

/** `cacheTag(...)` ran outside the computation of a cached function, or was given something that is not a tag. */
export class CacheTagError extends AutomemoError {
  constructor(details: { problem: string }) {
    super(
      "CACHE_TAG_OUTSIDE_COMPUTATION",
      `cacheTag() ${details.problem}.\n` +
        `Fix it: call cacheTag("name", ...) with non-empty strings from inside the body of a @memo or @singleton function while it computes ` +
        `(after an await only where async context is tracked: Node 24+, or AUTOMEMO_CYCLE_CHECK=1), or use the static option @memo { tags: ["name"] }.`,
    );
  }
}
