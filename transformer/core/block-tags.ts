/**
 * Where a JSDoc comment holds block tags. A cache tag turns caching on, so only a
 * block tag counts: the first word of a comment line, after optional whitespace and
 * the optional leading `*`. The same word anywhere else is prose and never a tag:
 * mid-line ("deliberately not @memo"), in a Markdown code span (`` `@memo` ``, which
 * may span lines), in a fenced code block (``` or ~~~ lines), or inside an inline
 * tag (`{@link ...}`, which may span lines too).
 */

/** A block tag candidate: the offset of its `@` in the comment's value, and the end of its line. */
export interface BlockTagStart {
  readonly at: number;
  /** End of the line the tag starts on (before the newline, or before a closing `*` run on the last line). */
  readonly lineEnd: number;
}

interface Line {
  /** First character after the line's prefix (whitespace, one `*`, whitespace). */
  readonly contentStart: number;
  readonly end: number;
  readonly fence: boolean;
}

const FENCE = /^(`{3,}|~{3,})/;

/**
 * Offsets (into `value`, the text between `/*` and `*\/`, so starting with the JSDoc
 * `*`) of every `@` that starts a block tag, with the end of its line.
 */
export function blockTagStarts(value: string, names: RegExp): BlockTagStart[] {
  const lines = splitLines(value);
  const hidden = hiddenRanges(value, lines);
  const starts: BlockTagStart[] = [];
  for (const line of lines) {
    if (line.fence || value[line.contentStart] !== "@") continue;
    if (!names.test(value.slice(line.contentStart, line.end))) continue;
    if (insideAny(hidden, line.contentStart)) continue;
    starts.push({ at: line.contentStart, lineEnd: line.end });
  }
  return starts;
}

function splitLines(value: string): Line[] {
  const lines: Line[] = [];
  let fence: string | null = null;
  for (let start = 0; start <= value.length; ) {
    const newline = value.indexOf("\n", start);
    let end = newline === -1 ? value.length : newline;
    // The last line stops before the stars of a `**/` closer.
    if (newline === -1) while (end > start && value[end - 1] === "*") end--;
    if (end > start && value[end - 1] === "\r") end--;
    let contentStart = start;
    while (contentStart < end && (value[contentStart] === " " || value[contentStart] === "\t")) contentStart++;
    if (value[contentStart] === "*") contentStart++;
    while (contentStart < end && (value[contentStart] === " " || value[contentStart] === "\t")) contentStart++;
    const opener = FENCE.exec(value.slice(contentStart, end))?.[1];
    const isFenceLine = opener !== undefined && (fence === null || (opener[0] === fence[0] && opener.length >= fence.length));
    if (isFenceLine) fence = fence === null ? opener : null;
    lines.push({ contentStart: Math.min(contentStart, end), end, fence: fence !== null || isFenceLine });
    if (newline === -1) break;
    start = newline + 1;
  }
  return lines;
}

/**
 * Code spans and inline tags, as `[start, end)` pairs in ascending order. A code span
 * is a backtick run closed by the next run of the same length in its paragraph (an
 * unmatched run is literal text, as in CommonMark); an inline tag runs from `{@` to the
 * next `}` outside code spans.
 */
function hiddenRanges(value: string, lines: readonly Line[]): number[] {
  const runs: { start: number; end: number; paragraph: number }[] = [];
  let paragraph = 0;
  for (const line of lines) {
    if (line.fence || line.contentStart === line.end) {
      paragraph++;
      continue;
    }
    for (let index = value.indexOf("`", line.contentStart); index !== -1 && index < line.end; index = value.indexOf("`", index)) {
      const start = index;
      while (index < line.end && value[index] === "`") index++;
      runs.push({ start, end: index, paragraph });
    }
  }
  // The next run of the same length in the same paragraph, found right to left in one pass.
  const closer = new Array<number>(runs.length).fill(-1);
  const latest = new Map<string, number>();
  for (let index = runs.length - 1; index >= 0; index--) {
    const key = `${runs[index].paragraph}:${runs[index].end - runs[index].start}`;
    closer[index] = latest.get(key) ?? -1;
    latest.set(key, index);
  }
  const spans: number[] = [];
  for (let index = 0; index < runs.length; index++) {
    if (closer[index] === -1) continue;
    spans.push(runs[index].start, runs[closer[index]].end);
    index = closer[index];
  }
  const hidden: number[] = [];
  let span = 0;
  for (let index = value.indexOf("{@"); index !== -1; index = value.indexOf("{@", index + 1)) {
    while (span < spans.length && spans[span + 1] <= index) span += 2;
    if (span < spans.length && spans[span] <= index) continue;
    const close = value.indexOf("}", index);
    const end = close === -1 ? value.length : close + 1;
    hidden.push(index, end);
    index = end - 1;
  }
  return mergeSorted(spans, hidden);
}

/** Two ascending lists of `[start, end)` pairs as one, overlapping pairs joined, so ends ascend too. */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const merged: number[] = [];
  const add = (start: number, end: number): void => {
    const last = merged.length - 1;
    if (last > 0 && start <= merged[last]) merged[last] = Math.max(merged[last], end);
    else merged.push(start, end);
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] <= b[j])) {
      add(a[i], a[i + 1]);
      i += 2;
    } else {
      add(b[j], b[j + 1]);
      j += 2;
    }
  }
  return merged;
}

/** Whether `offset` lies strictly inside one of the `[start, end)` pairs (an opening backtick or brace counts as inside). */
function insideAny(ranges: readonly number[], offset: number): boolean {
  let low = 0;
  let high = ranges.length / 2;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ranges[middle * 2 + 1] <= offset) low = middle + 1;
    else high = middle;
  }
  return low < ranges.length / 2 && ranges[low * 2] <= offset;
}
