import type { Db } from './db.js';
import type { CpisRecord } from './cpis-repo.js';
import { cpisLookup } from './cpis-repo.js';

/** The NOTIFY channel the 0013 migration's triggers send to (per schema). */
export const CPIS_CHANNEL = 'sgw_cpis';

/** Everything since the beginning: the index keeps every plan not entered in error; the caller filters by date. */
const ALL_PLANS = '0001-01-01';

interface Entry {
  record: CpisRecord | null;
}

export interface CpisIndexStats {
  size: number;
  hits: number;
  misses: number;
  invalidations: number;
  /** False while notices may be missed (the listening connection is lost): every lookup reads the database. */
  coherent: boolean;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The CP-IS hot path's in-memory index: what `cpisLookup` answers for an identifier (the
 * person, every plan not entered in error, the listed access history), read through from
 * the database and kept until a change notice says it changed. Unknown identifiers are kept
 * too (most A&E questions are about children with no plan).
 *
 * Coherence: the 0013 triggers send a notice for every committed write to persons,
 * person_identifiers, protection_plans and access_events. A notice of this process's own
 * write arrives before that write returns, so a request that follows a write in this
 * process never sees the index from before it; another process's write is seen as soon as
 * its notice arrives (milliseconds). A lookup whose database read overlapped any notice is
 * answered but not kept, so a read taken before a commit is never kept after it. While the
 * listening connection is down the index is bypassed and emptied, and used again once
 * listening resumes.
 *
 * Entries are frozen: a request may not change what the next request is answered from.
 * At most `capacity` identifiers are kept, least recently used first out; 0 turns it off.
 */
export class CpisIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly keysOfPerson = new Map<string, Set<string>>();
  /** Counts notices; a read is kept only if none arrived while it was under way. */
  private generation = 0;
  private coherent = false;
  private hits = 0;
  private misses = 0;
  private invalidations = 0;
  private stop: (() => Promise<void>) | null = null;

  private constructor(
    private readonly db: Db,
    private readonly capacity: number,
  ) {}

  /** Opens the index and starts listening; with capacity 0 it never keeps anything and does not listen. */
  static async open(db: Db, capacity: number): Promise<CpisIndex> {
    const index = new CpisIndex(db, capacity);
    if (capacity > 0) {
      index.stop = await db.listen(CPIS_CHANNEL, {
        notice: (payload) => index.notice(payload),
        gap: () => {
          index.coherent = false;
          index.clear();
        },
        resumed: () => {
          index.clear();
          index.coherent = true;
        },
      });
      // PGlite's listen has no connection to lose, so it never reports resumed.
      index.coherent = true;
    }
    return index;
  }

  /** The CP-IS record for an identifier, from the index when it holds it, else from the database. */
  async lookup(system: string, value: string): Promise<CpisRecord | null> {
    const key = `${system}|${value}`;
    const entry = this.entries.get(key);
    if (entry && this.coherent) {
      this.hits++;
      // Most recently used goes to the back.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.record;
    }
    this.misses++;
    const started = this.generation;
    const record = await cpisLookup(this.db, system, value, ALL_PLANS);
    if (this.coherent && this.capacity > 0 && this.generation === started) this.keep(key, record);
    return record;
  }

  stats(): CpisIndexStats {
    return { size: this.entries.size, hits: this.hits, misses: this.misses, invalidations: this.invalidations, coherent: this.coherent };
  }

  async close(): Promise<void> {
    // A database already closed or gone has stopped listening anyway.
    await this.stop?.().catch(() => undefined);
    this.stop = null;
    this.coherent = false;
    this.clear();
  }

  private keep(key: string, record: CpisRecord | null): void {
    this.entries.set(key, { record: deepFreeze(record) });
    if (record) {
      const keys = this.keysOfPerson.get(record.person.id) ?? new Set<string>();
      keys.add(key);
      this.keysOfPerson.set(record.person.id, keys);
    }
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const personId = entry.record?.person.id;
    if (personId === undefined) return;
    const keys = this.keysOfPerson.get(personId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysOfPerson.delete(personId);
  }

  private notice(payload: string): void {
    this.generation++;
    this.invalidations++;
    if (payload === '*') this.clear();
    else if (payload.startsWith('i:')) this.forget(payload.slice(2));
    else if (payload.startsWith('p:')) for (const key of [...(this.keysOfPerson.get(payload.slice(2)) ?? [])]) this.forget(key);
    else this.clear(); // a notice this version does not know: forget everything rather than guess
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
    this.keysOfPerson.clear();
  }
}
