/**
 * The types of `configure`: a hasher's and a lifecycle hook's argument are inferred from
 * the class / the singleton, as the README's examples write them (no annotation), and a
 * hook typed for another value is refused. Checked by `npm run typecheck` (the file is in tsconfig).
 */
import { describe, expectTypeOf, it } from "vitest";
import { configure } from "../../runtime/index.ts";

class Money {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}
}
class Point {
  x = 1;
}
interface Pool {
  ended: boolean;
  end(): Promise<void>;
}
declare function connect(): Promise<Pool>;

describe("configure types", () => {
  it("infers each hasher's argument from its class and each hook's from the singleton", () => {
    // Only compiled, never called: the calls would change process-wide settings.
    const calls = (): void => {
      configure({ ttl: "10m", hashers: [[Money, (m) => [m.amount, m.currency]], [Point, (p) => p.x]] });
      configure(connect, { validate: (pool) => !pool.ended, dispose: (pool) => pool.end() });
      configure("pool-id", { validate: (pool: Pool) => !pool.ended });
      // @ts-expect-error validate receives the pool, not a string
      configure(connect, { validate: (pool: string) => pool.length > 0 });
    };
    expectTypeOf(calls).toBeFunction();
  });
});
