/** Queries over an ascending list of source offsets, by binary search (walks ask them once per node). */

/** Index of the first of the ascending `offsets` that is >= `position` (`offsets.length` when none is). */
function firstAtOrAfter(offsets: readonly number[], position: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle] < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether one of the ascending `offsets` lies in `[start, end]`. */
export function holdsOffset(offsets: readonly number[], start: number, end: number): boolean {
  const at = firstAtOrAfter(offsets, start);
  return at < offsets.length && offsets[at] <= end;
}
