// Babel 7 ships no types; its transform API matches Babel 8's, whose types are installed (babel8-core).
declare module "@babel/core" {
  export * from "babel8-core";
}

declare module "@babel/preset-typescript" {
  const preset: unknown;
  export default preset;
}

declare module "@babel/preset-env" {
  const preset: unknown;
  export default preset;
}
