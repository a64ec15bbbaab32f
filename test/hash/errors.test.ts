import { afterEach, describe, expect, it } from "vitest";
import { HasherError, UnhashableParamError } from "../../runtime/errors.ts";
import { digestHex, hashKeyComponents, setCustomHashers } from "../../runtime/hash/index.ts";

const FUNCTION_ID = "src/db.ts#loadRows";

function digestOf(...values: unknown[]): string {
  hashKeyComponents(values, values.map((_, i) => `p${i}`), FUNCTION_ID);
  return digestHex();
}

function failure(values: unknown[], names: string[]): unknown {
  try {
    hashKeyComponents(values, names, FUNCTION_ID);
  } catch (error) {
    return error;
  }
  throw new Error("expected hashKeyComponents to throw");
}

class DbClient {
  constructor(readonly url: string) {}
}

afterEach(() => setCustomHashers([]));

describe("UnhashableParamError", () => {
  it("names the function, parameter, position, path, type and the three fixes", () => {
    const error = failure(["users", { limit: 10, client: new DbClient("pg://x") }], ["table", "options"]);
    expect(error).toBeInstanceOf(UnhashableParamError);
    const unhashable = error as UnhashableParamError;
    expect(unhashable.code).toBe("UNHASHABLE_PARAM");
    expect(unhashable.functionId).toBe(FUNCTION_ID);
    expect(unhashable.param).toBe("options");
    expect(unhashable.path).toBe("options.client");
    expect(unhashable.valueType).toBe("DbClient");
    expect(unhashable.message).toMatch(/^\[automemo\] /);
    expect(unhashable.message).toContain("argument 'options' (position 1) of src/db.ts#loadRows");
    expect(unhashable.message).toContain("options.client is a DbClient");
    expect(unhashable.message).toContain("renaming the parameter to '_options'");
    expect(unhashable.message).toContain('[Symbol.for("automemo.hash")]()');
    expect(unhashable.message).toContain("configure({ hashers: [[DbClient, (value) => plainData]] })");
  });

  it.each([
    ["array index", [[1, 2, Promise.resolve(3)]], ["rows"], "rows[2]", "Promise"],
    ["Map entry", [new Map([["conn", new WeakMap()]])], ["byName"], "byName.conn", "WeakMap"],
    ["Set member", [new Set([1, new WeakSet()])], ["members"], "members[1]", "WeakSet"],
    ["odd key", [{ "a b": { fn: () => 1 } }], ["options"], 'options["a b"].fn', "function fn"],
    ["the argument itself", [Symbol("unique")], ["token"], "token", "symbol"],
    ["an Error", [{ last: new Error("x") }], ["state"], "state.last", "Error"],
    ["a boxed primitive", [[new Number(1)]], ["list"], "list[0]", "Number"],
    ["a Map subclass", [new (class Registry extends Map {})()], ["registry"], "registry", "Registry"],
    ["a WeakRef", [{ ref: new WeakRef({}) }], ["cache"], "cache.ref", "WeakRef"],
    ["deep nesting", [{ a: [{ b: new Map([[1, [0, new DbClient("")]]]) }] }], ["deep"], "deep.a[0].b[1][1]", "DbClient"],
  ])("reports the path for %s", (_label, values, names, path, type) => {
    const error = failure(values, names) as UnhashableParamError;
    expect(error).toBeInstanceOf(UnhashableParamError);
    expect(error.path).toBe(path);
    expect(error.valueType).toBe(type);
    expect(error.message).toMatch(new RegExp(`${path.replace(/[.[\]]/g, "\\$&")} is an? ${type}`));
  });

  it("counts the position among key components", () => {
    const error = failure([1, 2, new DbClient("")], ["a", "b", "c"]) as UnhashableParamError;
    expect(error.message).toContain("argument 'c' (position 2)");
  });

  it("leaves the hasher usable after a failure", () => {
    const before = digestOf({ a: [1, 2] });
    failure([{ deep: [[[new DbClient("")]]] }], ["x"]);
    expect(digestOf({ a: [1, 2] })).toBe(before);
  });
});

describe("escape hatches", () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    [Symbol.for("automemo.hash")]() {
      return [this.x, this.y];
    }
  }
  class Vector {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    [Symbol.for("automemo.hash")]() {
      return [this.x, this.y];
    }
  }

  it("hashes what the automemo.hash method returns, tagged with the class name", () => {
    expect(digestOf(new Point(1, 2))).toBe(digestOf(new Point(1, 2)));
    expect(digestOf(new Point(1, 2))).not.toBe(digestOf(new Point(2, 1)));
    expect(digestOf(new Point(1, 2))).not.toBe(digestOf(new Vector(1, 2)));
    expect(digestOf(new Point(1, 2))).not.toBe(digestOf([1, 2]));
  });

  it("uses registered hashers, first instanceof match wins", () => {
    expect(() => digestOf(new DbClient("a"))).toThrow(UnhashableParamError);
    class PoolClient extends DbClient {}
    setCustomHashers([
      [DbClient, (client: DbClient) => client.url],
      [PoolClient, () => "never reached"],
    ]);
    expect(digestOf(new DbClient("a"))).toBe(digestOf(new DbClient("a")));
    expect(digestOf(new DbClient("a"))).not.toBe(digestOf(new DbClient("b")));
    expect(digestOf(new PoolClient("a"))).not.toBe(digestOf(new PoolClient("b")));
  });

  it("terminates when a hasher returns the value itself", () => {
    class SelfHash {
      [Symbol.for("automemo.hash")]() {
        return this;
      }
    }
    expect(digestOf(new SelfHash())).toBe(digestOf(new SelfHash()));
  });

  it("leaves plain objects to the structural hash (symbol keys, the method included, do not count)", () => {
    expect(digestOf({ a: 1, [Symbol.for("automemo.hash")]: () => 1 })).toBe(digestOf({ a: 1 }));
  });

  it("survives a hasher that itself hashes (a memoized call inside a hasher)", () => {
    const plain = digestOf({ a: new Point(3, 4), b: [1, 2, 3] });
    class Reentrant {
      [Symbol.for("automemo.hash")]() {
        hashKeyComponents([{ unrelated: [9, 9, 9], nested: new Point(7, 7) }], ["x"], "other#fn");
        return [3, 4];
      }
    }
    setCustomHashers([]);
    const withNested = digestOf({ a: new Reentrant(), b: [1, 2, 3] });
    const again = digestOf({ a: new Reentrant(), b: [1, 2, 3] });
    expect(withNested).toBe(again);
    expect(withNested).not.toBe(plain); // different class name, same data
    const reentrantAlone = digestOf({ b: [1, 2, 3], a: new Reentrant() });
    expect(reentrantAlone).toBe(withNested);
  });

  it("survives a getter that hashes while its object is being hashed", () => {
    const make = (nested: boolean) => ({
      before: { x: [1, 2] },
      get middle() {
        if (nested) hashKeyComponents([{ deep: { deeper: [new Map([[1, { y: 2 }]])] } }], ["x"], "other#fn");
        return [5, 6];
      },
      after: new Set([{ z: 3 }]),
    });
    expect(digestOf({ wrap: make(true) })).toBe(digestOf({ wrap: make(false) }));
  });
});

describe("HasherError", () => {
  it("reports a throwing automemo.hash method with the path and the cause", () => {
    const cause = new Error("connection closed");
    class Broken {
      [Symbol.for("automemo.hash")](): unknown {
        throw cause;
      }
    }
    const error = failure([{ pool: [new Broken()] }], ["options"]) as HasherError;
    expect(error).toBeInstanceOf(HasherError);
    expect(error.code).toBe("HASHER_FAILED");
    expect(error.path).toBe("options.pool[0]");
    expect(error.functionId).toBe(FUNCTION_ID);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(`[automemo] The custom hasher for Broken threw while hashing options.pool[0] of ${FUNCTION_ID}: connection closed`);
  });

  it("reports a throwing registered hasher", () => {
    setCustomHashers([
      [
        DbClient,
        () => {
          throw new TypeError("no url");
        },
      ],
    ]);
    const error = failure([new Map([["main", new DbClient("")]])], ["clients"]) as HasherError;
    expect(error).toBeInstanceOf(HasherError);
    expect(error.path).toBe("clients.main");
    expect(error.message).toContain("no url");
  });

  it("reports an unhashable value inside a hasher's result with the full path", () => {
    setCustomHashers([[DbClient, () => ({ socket: new WeakMap() })]]);
    const error = failure([{ client: new DbClient("") }], ["options"]) as UnhashableParamError;
    expect(error).toBeInstanceOf(UnhashableParamError);
    expect(error.path).toBe("options.client.socket");
  });
});
