import { stats } from "automemo";
import { connect, getPage, queries } from "./pages";

async function main(): Promise<void> {
  const first = await getPage(() => ({}), 3, 2);
  const again = await getPage(() => ({ another: "session" }), 3, 2);
  const result = {
    first,
    sameRows: JSON.stringify(first) === JSON.stringify(again),
    queries,
    sameConnection: connect("db://local") === connect("db://local"),
    stats: { getPage: stats(getPage), connect: stats(connect) },
  };
  console.log(JSON.stringify(result));
}

void main();
