/** A growable Int32Array of message indexes (per-room orderings of the message store). */
export class IndexList {
  private buf: Int32Array;
  length = 0;

  constructor(capacity = 16) {
    this.buf = new Int32Array(Math.max(4, capacity));
  }

  static from(values: Int32Array): IndexList {
    const l = new IndexList(values.length + 16);
    l.buf.set(values);
    l.length = values.length;
    return l;
  }

  at(k: number): number {
    return this.buf[k] as number;
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(Math.ceil(this.buf.length * 1.5) + 16);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  removeAt(k: number): void {
    this.buf.copyWithin(k, k + 1, this.length);
    this.length--;
  }

  /** Keeps the values for which `keep` is true, in order (one pass). */
  filter(keep: (v: number) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      const v = this.buf[r] as number;
      if (keep(v)) this.buf[w++] = v;
    }
    this.length = w;
  }

  /** First position whose value is not `before` (binary search; `before` is monotone). */
  lowerBound(before: (v: number) => boolean): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.buf[mid] as number)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  toArray(): number[] {
    return Array.from(this.buf.subarray(0, this.length));
  }
}
