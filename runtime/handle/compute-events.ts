/**
 * Compute notifications for tools (the `automemo run` spinner): a `diagnostics_channel`
 * named "automemo:compute" carrying `{ id, phase: "start" | "end", durationMs? }`.
 * The channel module is reached lazily through `process.getBuiltinModule`, so the
 * runtime keeps no static Node import; where it is missing (browsers) nothing is published.
 */

/** Name of the channel the runtime publishes computations on. */
export const COMPUTE_CHANNEL = "automemo:compute";

/** What a subscriber of COMPUTE_CHANNEL receives. */
export interface ComputeMessage {
  readonly id: string;
  /** "refresh-error": a staleWhileRevalidate refresh failed; the stale value stays. */
  readonly phase: "start" | "end" | "refresh-error";
  /** On "end": how long the computation took, in ms (async: until its promise settled). */
  readonly durationMs?: number;
  /** On "refresh-error": what the computation threw. */
  readonly error?: unknown;
}

export interface ComputeChannel {
  readonly hasSubscribers: boolean;
  publish(message: ComputeMessage): void;
}

interface DiagnosticsChannelModule {
  channel(name: string): ComputeChannel;
}

let resolved: ComputeChannel | null | undefined;

/** The compute channel, or null where `node:diagnostics_channel` is unavailable. Resolved once. */
export function computeChannel(): ComputeChannel | null {
  if (resolved !== undefined) return resolved;
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const diagnostics = proc?.getBuiltinModule?.("node:diagnostics_channel") as DiagnosticsChannelModule | undefined;
  // Held strongly here: Node keeps channels without subscribers only weakly.
  resolved = diagnostics?.channel(COMPUTE_CHANNEL) ?? null;
  return resolved;
}
