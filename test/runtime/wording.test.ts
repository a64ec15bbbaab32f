/** Messages read as English: "an Invoice", not "a Invoice": error messages are read by people. */
import { afterEach, describe, expect, it } from "vitest";
import { clearAll, memo } from "../../runtime/index.ts";
import { withArticle } from "../../runtime/errors.ts";
import { uniqueId } from "./helpers.ts";

afterEach(() => clearAll());

class Invoice {
  constructor(readonly total: number) {}
}

describe("error wording", () => {
  it("puts 'an' before a type name that starts with a vowel", () => {
    expect(withArticle("Invoice")).toBe("an Invoice");
    expect(withArticle("object")).toBe("an object");
    expect(withArticle("URL")).toBe("a URL");
    expect(withArticle("Uint8Array")).toBe("a Uint8Array");
    expect(withArticle("undefined")).toBe("an undefined");
    expect(withArticle("Promise")).toBe("a Promise");
  });

  it("says 'is an Invoice' for an unhashable argument", () => {
    const total = memo((invoice: Invoice) => invoice.total, { id: uniqueId("invoice"), params: ["invoice"] });
    expect(() => total(new Invoice(3))).toThrow(/invoice is an Invoice, which has no by-value hash/);
  });
});
