// A minimal webpack loader for the webpack test: strips TypeScript with esbuild and
// composes its map with the map it received (automemo's), as webpack expects loaders to do.
import remapping from "@jridgewell/remapping";
import { transformSync } from "esbuild";

export default function stripTypesLoader(source, inputMap) {
  const result = transformSync(source, { loader: "ts", format: "esm", sourcemap: "external", sourcefile: this.resourcePath });
  const map = inputMap ? remapping([result.map, inputMap], () => null) : JSON.parse(result.map);
  this.callback(null, result.code, map);
}
