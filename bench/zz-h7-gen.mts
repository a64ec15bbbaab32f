export function moduleSource(index: number, tagged: boolean): string {
  const previous = index > 0 ? `import { chained${index - 1} } from "./mod${index - 1}.ts";\n` : "";
  return `import { scale } from "./shared.ts";
${previous}
export interface Row${index} {
  readonly id: number;
  readonly label: string;
  readonly weights: readonly number[];
}

export class Table${index} {
  private readonly rows: Row${index}[] = [];

  add(row: Row${index}): this {
    this.rows.push(row);
    return this;
  }

  heaviest(): Row${index} | undefined {
    return [...this.rows].sort((a, b) => weight${index}(b) - weight${index}(a))[0];
  }
}

export function weight${index}(row: Row${index}): number {
  return row.weights.reduce((sum, value) => sum + value, 0);
}

${tagged ? "/** @memo */\n" : "/** Sums the scaled weights of every row. */\n"}export function total${index}(rows: readonly Row${index}[]): number {
  let sum = 0;
  for (const row of rows) sum += scale(weight${index}(row)) * ${(index % 7) + 1};
  return sum;
}

export function chained${index}(depth: number): number {
  return depth <= 0 ? ${index} : ${index > 0 ? `chained${index - 1}(depth - 1)` : "0"} + 1;
}

export const describe${index} = (row: Row${index}): string => \`\${row.label} (\${weight${index}(row)})\`;
`;
}
