// Log-linear latency histogram in µs: exact below 128 µs, then 64 sub-buckets per power of two
// (≤ 1.6 % error). Fixed memory, O(1) record, mergeable across processes (toJSON/fromJSON).
const SUB = 64;
const SUB_BITS = 6;
const LINEAR = 2 * SUB;
const SIZE = LINEAR + 40 * SUB;

function indexOf(v) {
  if (v < LINEAR) return v < 0 ? 0 : Math.floor(v);
  const e = 31 - Math.clz32(Math.min(v, 2 ** 31 - 1)); // floor(log2 v) >= 7
  const mant = Math.floor(v / 2 ** (e - SUB_BITS)) - SUB; // 0..63
  return LINEAR + (e - SUB_BITS - 1) * SUB + mant;
}

function valueOf(i) {
  if (i < LINEAR) return i;
  const j = i - LINEAR;
  const e = Math.floor(j / SUB) + SUB_BITS + 1;
  const mant = (j % SUB) + SUB;
  return (mant + 0.5) * 2 ** (e - SUB_BITS); // bucket midpoint
}

export class Histogram {
  constructor() {
    this.counts = new Float64Array(SIZE);
    this.n = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Infinity;
  }

  /** Records one value in µs. */
  record(us) {
    this.counts[indexOf(us)]++;
    this.n++;
    this.sum += us;
    if (us > this.max) this.max = us;
    if (us < this.min) this.min = us;
  }

  merge(other) {
    for (let i = 0; i < SIZE; i++) this.counts[i] += other.counts[i];
    this.n += other.n;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }

  /** Value in µs at quantile q (0..1). */
  quantile(q) {
    if (this.n === 0) return NaN;
    const target = Math.max(1, Math.ceil(q * this.n));
    let acc = 0;
    for (let i = 0; i < SIZE; i++) {
      acc += this.counts[i];
      if (acc >= target) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }

  /** p50/p90/p99/max/mean in milliseconds, rounded to 0.01 ms, plus the count. */
  summary() {
    const ms = (us) => (Number.isFinite(us) ? Math.round(us / 10) / 100 : null);
    return {
      n: this.n,
      p50: ms(this.quantile(0.5)),
      p90: ms(this.quantile(0.9)),
      p99: ms(this.quantile(0.99)),
      max: ms(this.n ? this.max : NaN),
      mean: ms(this.n ? this.sum / this.n : NaN),
    };
  }

  toJSON() {
    const sparse = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]) sparse.push(i, this.counts[i]);
    return { sparse, n: this.n, sum: this.sum, max: this.max, min: this.min };
  }

  static fromJSON(o) {
    const h = new Histogram();
    for (let k = 0; k < o.sparse.length; k += 2) h.counts[o.sparse[k]] = o.sparse[k + 1];
    Object.assign(h, { n: o.n, sum: o.sum, max: o.max, min: o.min ?? Infinity });
    return h;
  }
}
