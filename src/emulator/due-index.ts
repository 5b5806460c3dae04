/**
 * When each key next needs the lifecycle's attention (a deletion date, a rotation date), ordered by time, so that a
 * request looks only at what is due instead of walking every key (which made each request cost grow with the
 * number of keys).
 *
 * A min-heap of (time, slot) with lazy removal: an entry is not taken out when its key changes; it is pushed anew,
 * and the old entry is recognised as stale when it surfaces (the slot's latest indexed time differs). The heap is
 * rebuilt when stale entries outnumber live ones, so its size stays within twice the number of due times.
 * @module
 */

/** What a key is due for. */
export type DueKind = 'deletion' | 'rotation';

interface Entry {
  readonly time: number;
  readonly slot: string;
}

/** One kind of due time for every slot that has one. */
export class DueIndex {
  private heap: Entry[] = [];
  /** The time each slot is indexed under now; entries with another time are stale. */
  private readonly current = new Map<string, number>();

  /** Sets (or, with undefined, clears) a slot's due time. */
  public set(slot: string, time: number | undefined): void {
    if (time === undefined) {
      this.current.delete(slot);
      return;
    }
    if (this.current.get(slot) === time) return;
    this.current.set(slot, time);
    this.push({ time, slot });
    if (this.heap.length > 64 && this.heap.length > 2 * this.current.size) this.rebuild();
  }

  /** The slots due at or before `now`, earliest first, removed from the index (a handled key re-indexes itself). */
  public takeDue(now: number): readonly string[] {
    if (this.heap.length === 0 || this.heap[0].time > now) return NOTHING_DUE; // every request asks, and most find nothing
    const due: string[] = [];
    while (this.heap.length > 0 && this.heap[0].time <= now) {
      const entry = this.pop();
      if (this.current.get(entry.slot) !== entry.time) continue; // stale
      this.current.delete(entry.slot);
      due.push(entry.slot);
    }
    return due;
  }

  /** Entries held (live and stale): what a test reads to see the index stays bounded. */
  public get size(): number {
    return this.heap.length;
  }

  private rebuild(): void {
    this.heap = [];
    for (const [slot, time] of this.current) this.push({ time, slot });
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = Math.floor((i - 1) / 2);
      if (heap[parent].time <= entry.time) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right].time < heap[left].time ? right : left;
      if (heap[child].time >= last.time) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

/** The answer when nothing is due: shared, so frozen. */
const NOTHING_DUE: readonly string[] = Object.freeze([]);
