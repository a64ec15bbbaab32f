// Loads the `redis` package before tsx's hooks are registered: through the hooks it takes
// ~2 s per process to load, which would make the multi-process tests slow for no reason.
await import("redis");
const { register } = await import("tsx/esm/api");
register();
await import("./store-child.ts");
