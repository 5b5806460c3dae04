/**
 * Byte queues for the streamed forms, so that the work per byte stays constant however the input is chunked.
 * @module
 */

/**
 * Chunks waiting to be consumed, kept as they came: a run of bytes inside one chunk is taken as a subarray (no
 * copy), and only a run spanning chunks is assembled, once. Each byte is therefore copied at most once, and
 * each chunk is visited a bounded number of times (a head index, not `Array.shift`, which may move the array).
 */
export class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  /** The memory `detach` copies into. */
  private owned = EMPTY;
  /** Bytes queued. */
  public length = 0;

  public add(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Copies the first `n` bytes (n small: a frame's length words) without consuming them. */
  public peek(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`peek: ${n} bytes asked, ${this.length} queued`);
    const out = new Uint8Array(n);
    let filled = 0;
    for (let i = this.head; filled < n; i++) {
      const part = this.chunks[i].subarray(0, n - filled);
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /**
   * Copies the queued bytes into memory the queue owns (one buffer, reused and grown as needed), so that the chunks
   * they came from may change afterwards. A Node stream's writer may refill its buffer as soon as its write is called
   * back, so a Transform that keeps bytes past the callback must own them (a sealed envelope of the refilled bytes
   * would authenticate the wrong plaintext). Views returned by `take` before this call may be overwritten by it.
   */
  public detach(): void {
    const queued = this.chunks.length - this.head;
    if (queued === 0) return;
    const first = this.chunks[this.head];
    if (queued === 1 && first.buffer === this.owned.buffer && first.byteOffset === this.owned.byteOffset) return; // already ours
    const target = this.length <= this.owned.length ? this.owned : new Uint8Array(this.length);
    let filled = 0;
    // In order; `set` copies as if through a temporary when source and target share memory (the head may be ours).
    for (let i = this.head; i < this.chunks.length; i++) {
      target.set(this.chunks[i], filled);
      filled += this.chunks[i].length;
    }
    this.owned = target;
    this.chunks = [target.subarray(0, filled)];
    this.head = 0;
  }

  /** Zeroes the memory `detach` copied into (plaintext waiting to be sealed) and empties the queue. */
  public wipeOwned(): void {
    this.owned.fill(0);
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }

  /** Removes and returns the first `n` bytes: a view into a chunk when they lie in one, else one new array. */
  public take(n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`take: ${n} bytes asked, ${this.length} queued`);
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[this.head];
    if (first.length >= n) {
      this.consume(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head];
      const used = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      this.consume(used);
    }
    return out;
  }

  /** Drops `n` bytes, all from the head chunk. */
  private consume(n: number): void {
    const chunk = this.chunks[this.head];
    if (n === chunk.length) {
      this.chunks[this.head++] = EMPTY;
      // Compact now and then, so the array does not grow with every chunk ever seen.
      if (this.head > 1024 && this.head * 2 > this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    } else {
      this.chunks[this.head] = chunk.subarray(n);
    }
    this.length -= n;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A byte buffer that grows by doubling: appending copies only the new chunk (amortized), unlike re-concatenating
 * everything buffered on every chunk, which is quadratic in the buffered size.
 */
export class GrowingBuffer {
  private data = new Uint8Array(256);
  public length = 0;

  public append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.data.length) {
      let capacity = this.data.length;
      while (capacity < this.length + chunk.length) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.data.subarray(0, this.length), 0);
      this.data = grown;
    }
    this.data.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** The buffered bytes (a view: valid until the next append). */
  public view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  /** Lets go of the memory (the length stays, for messages). */
  public release(): void {
    this.data = new Uint8Array(0);
  }
}
