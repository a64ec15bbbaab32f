/** A program whose async @memo awaits itself with the same key; prints how it ended. */
import { memo } from "../../../runtime/index.ts";

const selfAwait: (k: number) => Promise<number> = memo(async (k: number): Promise<number> => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return (await selfAwait(k)) + 1;
}, { id: "cycle-child.ts#selfAwait", hash: "v1", params: ["k"] });

selfAwait(1).then(
  (value) => console.log(`settled ${value}`),
  (error: { code?: string }) => console.log(`failed ${error.code}`),
);
