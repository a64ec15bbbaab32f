import { CodeHasher } from "../hash.ts";
import type { ResolutionFact } from "./resolution.ts";

/**
 * Stage 4, digests: each node's hash from its own code and its successors' digests
 * (a Merkle hash), every strongly connected component (a cycle) hashed as one unit.
 * The walk is iterative Tarjan, linear in the graph and safe at any depth.
 */

/**
 * One node of the dependency graph: a module-level binding, an imported package,
 * a whole file, or a helper of the cached function's own context. Its digest is a
 * Merkle hash: its own code plus the keys and digests of what it references, so a
 * node is hashed once however many functions reach it. (Hashing each function's
 * whole closure flat would cost the closure's size per function: quadratic along
 * import chains.)
 */
export class DependencyNode {
  /** Set once the node and everything it reaches are hashed. */
  digest: string | null;
  /** What the node references directly; filled by `expand`. */
  readonly successors: DependencyNode[] = [];
  /** Files read while finding what it references (the digest was computed from these and its successors' files: `filesReachedFrom`). */
  readonly loaded: string[] = [];
  /** Resolutions made while finding what it references (what a saved plan record re-checks). */
  readonly resolved: ResolutionFact[] = [];
  /** The members of the node's strongly connected component (a cycle), set with the digest; null when it is alone. */
  component: readonly DependencyNode[] | null = null;
  /** Id of the component's fact set once a plan record was made from it (`plan-records.ts`); "" when it notes nothing. */
  factSet: string | null = null;
  /** Tarjan bookkeeping, meaningful only while the node's component is being hashed. */
  index = -1;
  low = -1;
  onStack = false;

  constructor(
    /** Project-relative qualified name (`src/a.ts#helper`, `npm:lodash@4.17.21`): part of every referrer's digest. */
    readonly key: string,
    /** Hash of the node's own code, never of what it references. */
    readonly own: string,
    /** Adds the successors; null for nodes that reference nothing (they are hashed at once). */
    public expand: (() => void) | null,
    /** Called once the digest is known (to memoise the node for the build session). */
    private remember: ((node: DependencyNode) => void) | null = null,
  ) {
    this.digest = expand ? null : own;
  }

  /** Called by `completeDigests` only. */
  finish(digest: string): void {
    this.digest = digest;
    // Both callbacks hold the graph that built the node: let it go with them.
    this.expand = null;
    this.remember?.(this);
    this.remember = null;
  }
}

/**
 * Hashes every node `root` reaches that has no digest yet: an iterative Tarjan walk
 * (import chains thousands of files deep must not overflow the stack) that expands
 * each node when first entered and hashes each strongly connected component once
 * it is complete, so every successor outside it already has its digest.
 */
export function completeDigests(root: DependencyNode, expand: (node: DependencyNode) => void): void {
  if (root.digest !== null) return;
  let counter = 0;
  const stack: DependencyNode[] = [];
  const frames: { node: DependencyNode; next: number }[] = [];
  const enter = (node: DependencyNode): void => {
    node.index = node.low = counter++;
    node.onStack = true;
    stack.push(node);
    expand(node);
    frames.push({ node, next: 0 });
  };
  enter(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const node = frame.node;
    if (frame.next < node.successors.length) {
      const successor = node.successors[frame.next++]!;
      if (successor.digest !== null) continue;
      if (successor.index === -1) enter(successor);
      else if (successor.onStack) node.low = Math.min(node.low, successor.index);
      continue;
    }
    frames.pop();
    const parent = frames[frames.length - 1]?.node;
    if (parent) parent.low = Math.min(parent.low, node.low);
    if (node.low === node.index) {
      const component = stack.splice(stack.lastIndexOf(node));
      for (const member of component) member.onStack = false;
      hashComponent(component);
    }
  }
}

function byKey(a: DependencyNode, b: DependencyNode): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Sorts `node.successors` by key and drops repeats (one import can be reached by several names). */
function sortSuccessors(node: DependencyNode): void {
  const successors = node.successors.sort(byKey);
  let kept = 0;
  for (const successor of successors) if (kept === 0 || successors[kept - 1]!.key !== successor.key) successors[kept++] = successor;
  successors.length = kept;
}

/**
 * A node outside any cycle: its own hash alone when it references nothing, else
 * its own hash and the sorted (key, digest) pairs of its successors. A cycle (a
 * component of several nodes, or one that references itself) is hashed as one
 * unit: every member's key, own hash and successor keys, in key order, plus the
 * digests of successors outside the cycle; every member gets that digest. Both
 * depend on the graph alone, never on which node the walk started from.
 */
function hashComponent(component: DependencyNode[]): void {
  for (const node of component) sortSuccessors(node);
  const single = component.length === 1 ? component[0]! : null;
  if (single && !single.successors.includes(single)) {
    if (single.successors.length === 0) return single.finish(single.own);
    const hasher = new CodeHasher().addHash(single.own);
    for (const successor of single.successors) hasher.add(successor.key).addHash(successor.digest!);
    return single.finish(hasher.digest());
  }
  const members = new Set(component);
  for (const node of component) node.component = component;
  const hasher = new CodeHasher();
  for (const node of component.sort(byKey)) {
    hasher.add(node.key).addHash(node.own);
    for (const successor of node.successors) {
      hasher.add(successor.key);
      if (!members.has(successor)) hasher.addHash(successor.digest!);
    }
  }
  const digest = hasher.digest();
  for (const node of component) node.finish(digest);
}

/**
 * Every file the digests of `roots` were computed from (hosts watch them), sorted:
 * what each node they reach read. Computed only when a host asks (watch modes);
 * keeping a merged list on every node cost a build time and memory quadratic in
 * the depth of import chains.
 */
export function filesReachedFrom(roots: readonly DependencyNode[]): string[] {
  const files = new Set<string>();
  for (const node of nodesReachedFrom(roots)) for (const file of node.loaded) files.add(file);
  return [...files].sort();
}

/** `from` and every node they reach. */
export function nodesReachedFrom(from: readonly DependencyNode[]): Set<DependencyNode> {
  const reached = new Set<DependencyNode>();
  const pending = [...from];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (reached.has(node)) continue;
    reached.add(node);
    for (const successor of node.successors) pending.push(successor);
  }
  return reached;
}
