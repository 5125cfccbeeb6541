/**
 * An in-memory person index for online matching: one incoming record against up to
 * millions of indexed people in milliseconds. Candidates are the people sharing a blocking
 * key with the incoming record (the same blockingKeys as the batch linker and the
 * database index), scored with the match model.
 *
 * Compact by construction, because a string-keyed Map of posting lists costs hundreds of
 * bytes a person: each blocking key is hashed to 32 bits (FNV-1a) and the postings are
 * held as one sorted array of distinct hashes, an offsets array and one Int32Array of
 * record numbers (CSR layout), about 13 keys × 4 bytes plus the hash table a person. Two
 * keys that collide share a block: that only adds candidates, which scoring then rejects.
 * Records added after the bulk build go to a small delta map until `compact()`.
 *
 * The index keeps the MatchRecords (the raw fields) and prepares a candidate's comparison
 * data (name codes, date parts) when it is scored, not per indexed person.
 *
 * Decisions are the gateway's: by default a lookup scores at the prior for the index's size
 * (priorForIndexSize in model.ts: min(λ, k/size), not the training data's λ) and applies the
 * guards (guards.ts), so a 'match' needs agreeing first names, dates of birth and surnames.
 * Both can be switched off per index or per lookup (the benchmark compares them).
 */
import { BLOCKING_RULES, blockingKeys, type BlockingRule } from './blocking.js';
import { BIRTH_DATE, COMPARISONS, GIVEN, SURNAME, prepare } from './comparisons.js';
import { guardDecision } from './guards.js';
import { pairScorer, termFrequencies, type FrequencyTable, type PairScorer } from './linkage.js';
import { decide, INDEX_PRIOR_K, MatchModelSchema, priorForIndexSize, priorShift, type Decision, type MatchModel } from './model.js';
import type { MatchRecord } from './types.js';

/** FNV-1a, 32 bits, of a blocking key. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export interface MemoryIndexOptions {
  rules?: readonly BlockingRule[];
  /** A block larger than this gives no candidates (too common to be evidence). Default 5,000. */
  maxBlockSize?: number;
  /** Term frequencies for the model's TF levels (first names, surnames), if wanted. */
  frequencies?: Partial<Record<string, FrequencyTable>>;
  /**
   * The prior of a lookup. 'index-size' (the default): λ = priorForIndexSize(model, size,
   * priorK), so the bigger the index the more evidence a 'match' needs; 'model': the
   * model's own λ, whatever the size. The size is the number of records indexed, so an
   * index holding several records a person gets a lower prior than it should (safe side).
   */
  prior?: 'index-size' | 'model';
  /** k of priorForIndexSize. Default INDEX_PRIOR_K (0.5). */
  priorK?: number;
  /**
   * Apply the gateway's guards (guards.ts) to each decision: a 'match' whose first names,
   * dates of birth or surnames disagree becomes 'possible'. Default true; the model must
   * then have givenName, surname and birthDate comparisons.
   */
  guards?: boolean;
}

export interface IndexMatch {
  /** The indexed record's id. */
  id: string;
  /** Its position in the index. */
  row: number;
  weight: number;
  probability: number;
  /** The decision at the lookup's prior, after the guards (when on). */
  decision: Decision;
  /** Why a 'match' by score was lowered to 'possible' by a guard. */
  guard?: string;
  /** The comparison levels of the pair, in the model's comparison order (-1: a side lacks the field). */
  levels: number[];
}

export interface LookupOptions {
  /** Return at most this many, best first. Default 10. */
  limit?: number;
  /** Leave out candidates below this probability (at the lookup's prior). Default the model's possible threshold. */
  minProbability?: number;
  /** Overrides the index's `prior` option for this lookup. */
  prior?: 'index-size' | 'model';
  /** Overrides the index's `guards` option for this lookup. */
  guards?: boolean;
}

export interface IndexMemory {
  /** Bytes of the typed arrays (hashes, offsets, postings) and the delta map's estimate. */
  indexBytes: number;
  records: number;
  bytesPerRecord: number;
  distinctKeys: number;
  postings: number;
}

const RECORD_BITS = 2 ** 21; // record numbers below 2^21 pack beside a 32-bit hash in one double (< 2^53)

export class MemoryIndex {
  readonly model: MatchModel;
  private readonly rules: readonly BlockingRule[];
  private readonly maxBlock: number;
  private readonly scorer: PairScorer;
  private readonly vector: Int8Array;
  private readonly prior: 'index-size' | 'model';
  private readonly priorK: number;
  private readonly guards: boolean;
  /** Where givenName, surname and birthDate sit in the model's vector, when not the gateway's order; null when they do. */
  private readonly guardSlots: Int32Array | null;
  private readonly guardVector = new Int8Array(COMPARISONS.length);
  /** Why the guards cannot run on this model, or null. */
  private readonly guardsNeed: string | null;
  private readonly records: MatchRecord[] = [];
  /** Sorted distinct key hashes of the compacted part. */
  private hashes = new Uint32Array(0);
  /** offsets[k]..offsets[k+1] are the postings of hashes[k]. */
  private offsets = new Uint32Array(1);
  private postings = new Int32Array(0);
  /** Records added since the last compaction: hash → record numbers. */
  private delta = new Map<number, number[]>();
  private deltaPostings = 0;
  private readonly stamp: Int32Array[] = [new Int32Array(0)];
  private lookups = 0;

  constructor(model: MatchModel, options: MemoryIndexOptions = {}) {
    this.model = MatchModelSchema.parse(model);
    this.rules = options.rules ?? BLOCKING_RULES;
    this.maxBlock = options.maxBlockSize ?? 5000;
    this.scorer = pairScorer(this.model, options.frequencies);
    this.vector = new Int8Array(this.model.comparisons.length);
    this.prior = options.prior ?? 'index-size';
    this.priorK = options.priorK ?? INDEX_PRIOR_K;
    priorForIndexSize(this.model, 0, this.priorK); // checks k
    this.guards = options.guards ?? true;
    const names = this.model.comparisons.map((c) => c.name);
    const slots = COMPARISONS.map((c) => names.indexOf(c.name));
    const missing = [GIVEN, SURNAME, BIRTH_DATE].filter((i) => slots[i] === -1).map((i) => COMPARISONS[i]!.name);
    this.guardsNeed = missing.length === 0 ? null : `the guards need ${missing.join(', ')}, which this model lacks; pass guards: false to index without them`;
    if (this.guards && this.guardsNeed !== null) throw new RangeError(this.guardsNeed);
    this.guardSlots = slots.every((k, i) => k === i) ? null : Int32Array.from(slots);
  }

  /** The prior λ a lookup uses now: priorForIndexSize(model, size, priorK), or the model's λ. */
  lambda(prior: 'index-size' | 'model' = this.prior): number {
    return prior === 'model' ? this.model.lambda : priorForIndexSize(this.model, this.records.length, this.priorK);
  }

  /** The vector in COMPARISONS order for guardDecision (the model's own when it is in that order). */
  private gatewayVector(vector: Int8Array): Int8Array {
    const slots = this.guardSlots;
    if (slots === null) return vector;
    for (let i = 0; i < slots.length; i++) this.guardVector[i] = slots[i]! < 0 ? -1 : vector[slots[i]!]!;
    return this.guardVector;
  }

  /**
   * Builds an index of many records at once (sorted postings, no delta). Unless given,
   * term frequencies of first names and surnames are taken from these records, so agreeing
   * on SMITH counts for less than agreeing on a rare surname.
   */
  static build(records: readonly MatchRecord[], model: MatchModel, options: MemoryIndexOptions = {}): MemoryIndex {
    const index = new MemoryIndex(model, { ...options, frequencies: options.frequencies ?? termFrequencies(records) });
    for (const r of records) index.add(r);
    index.compact();
    return index;
  }

  get size(): number {
    return this.records.length;
  }

  /** Adds one record (searchable at once, through the delta map); returns its row. */
  add(record: MatchRecord): number {
    const row = this.records.length;
    if (row >= RECORD_BITS * 1024) throw new RangeError('the in-memory index holds at most 2^31 records');
    this.records.push(record);
    for (const key of blockingKeys(record, this.rules)) {
      const h = hashKey(key);
      const list = this.delta.get(h);
      if (list === undefined) this.delta.set(h, [row]);
      else if (list[list.length - 1] !== row) list.push(row); // two keys of one record colliding: once
      this.deltaPostings++;
    }
    return row;
  }

  /** Folds the delta into the sorted arrays (call after a bulk of adds; lookups work either way). */
  compact(): void {
    if (this.delta.size === 0) return;
    // (hash, row) packed into one double, hash · 2^21 + row (< 2^53), so one native numeric
    // sort orders the postings by hash then row. Past 2^21 records, a slower tuple sort.
    if (this.records.length > RECORD_BITS) {
      this.compactLarge();
      return;
    }
    const packed = new Float64Array(this.postings.length + this.deltaPostings);
    let n = 0;
    for (let k = 0; k < this.hashes.length; k++) {
      for (let p = this.offsets[k]!; p < this.offsets[k + 1]!; p++) packed[n++] = this.hashes[k]! * RECORD_BITS + this.postings[p]!;
    }
    for (const [h, rows] of this.delta) for (const r of rows) packed[n++] = h * RECORD_BITS + r;
    const used = packed.subarray(0, n);
    used.sort();
    const hashes: number[] = [];
    const offsets: number[] = [0];
    const postings = new Int32Array(n);
    let last = -1;
    for (let i = 0; i < n; i++) {
      const v = used[i]!;
      const h = Math.floor(v / RECORD_BITS);
      postings[i] = v - h * RECORD_BITS;
      if (h !== last) {
        if (last !== -1) offsets.push(i);
        hashes.push(h);
        last = h;
      }
    }
    offsets.push(n);
    this.hashes = Uint32Array.from(hashes);
    this.offsets = Uint32Array.from(offsets);
    this.postings = postings;
    this.delta = new Map();
    this.deltaPostings = 0;
  }

  private compactLarge(): void {
    const entries: [number, number][] = [];
    for (let k = 0; k < this.hashes.length; k++) for (let p = this.offsets[k]!; p < this.offsets[k + 1]!; p++) entries.push([this.hashes[k]!, this.postings[p]!]);
    for (const [h, rows] of this.delta) for (const r of rows) entries.push([h, r]);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const hashes: number[] = [];
    const offsets: number[] = [0];
    const postings = new Int32Array(entries.length);
    let last = -1;
    entries.forEach(([h, r], i) => {
      postings[i] = r;
      if (h !== last) {
        if (last !== -1) offsets.push(i);
        hashes.push(h);
        last = h;
      }
    });
    offsets.push(entries.length);
    this.hashes = Uint32Array.from(hashes);
    this.offsets = Uint32Array.from(offsets);
    this.postings = postings;
    this.delta = new Map();
    this.deltaPostings = 0;
  }

  private findHash(h: number): number {
    let lo = 0;
    let hi = this.hashes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.hashes[mid]!;
      if (v === h) return mid;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The rows sharing a blocking key with the record (each once; blocks over maxBlockSize skipped). */
  candidates(record: MatchRecord): number[] {
    let seen = this.stamp[0]!;
    if (seen.length < this.records.length) {
      const bigger = new Int32Array(Math.max(this.records.length, seen.length * 2));
      bigger.set(seen);
      this.stamp[0] = seen = bigger;
    }
    const mark = ++this.lookups;
    const out: number[] = [];
    const visit = (row: number) => {
      if (seen[row] !== mark) {
        seen[row] = mark;
        out.push(row);
      }
    };
    for (const key of blockingKeys(record, this.rules)) {
      const h = hashKey(key);
      const k = this.findHash(h);
      const from = k < 0 ? 0 : this.offsets[k]!;
      const to = k < 0 ? 0 : this.offsets[k + 1]!;
      const extra = this.delta.get(h);
      if (to - from + (extra?.length ?? 0) > this.maxBlock) continue;
      for (let p = from; p < to; p++) visit(this.postings[p]!);
      if (extra) for (const row of extra) visit(row);
    }
    return out;
  }

  /**
   * Scores the record against its candidates at the index's prior (see `lambda()`); the
   * best first, above minProbability, at most limit. With the guards on, a 'match' whose
   * first names, dates of birth or surnames disagree comes back as 'possible' with the reason.
   */
  lookup(record: MatchRecord, options: LookupOptions = {}): IndexMatch[] {
    const limit = options.limit ?? 10;
    const min = options.minProbability ?? this.model.thresholds.possible;
    const guards = options.guards ?? this.guards;
    if (guards && this.guardsNeed !== null) throw new RangeError(this.guardsNeed);
    const shift = priorShift(this.model, this.lambda(options.prior ?? this.prior));
    const a = prepare(record);
    const found: IndexMatch[] = [];
    for (const row of this.candidates(record)) {
      const c = this.records[row]!;
      const weight = this.scorer.score(a, prepare(c), this.vector) + shift;
      const probability = weight >= 0 ? 1 / (1 + 2 ** -weight) : 2 ** weight / (1 + 2 ** weight);
      if (probability < min) continue;
      const decided = decide(this.model, probability);
      const { decision, guard } = guards ? guardDecision(this.gatewayVector(this.vector), decided) : { decision: decided, guard: undefined };
      found.push({ id: c.id, row, weight, probability, decision, ...(guard === undefined ? {} : { guard }), levels: Array.from(this.vector) });
    }
    found.sort((x, y) => y.weight - x.weight);
    return found.slice(0, limit);
  }

  /** The record at a row. */
  record(row: number): MatchRecord | undefined {
    return this.records[row];
  }

  /** What the index structure costs beyond the records themselves. */
  memory(): IndexMemory {
    // A delta entry: a Map slot (~40 bytes) and an array (~32 bytes + 8 a posting); an estimate.
    const deltaBytes = this.delta.size * 72 + this.deltaPostings * 8;
    const indexBytes = this.hashes.byteLength + this.offsets.byteLength + this.postings.byteLength + (this.stamp[0]?.byteLength ?? 0) + deltaBytes;
    return {
      indexBytes,
      records: this.records.length,
      bytesPerRecord: this.records.length === 0 ? 0 : indexBytes / this.records.length,
      distinctKeys: this.hashes.length + this.delta.size,
      postings: this.postings.length + this.deltaPostings,
    };
  }
}
