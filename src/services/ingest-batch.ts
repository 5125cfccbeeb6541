/**
 * What a group commit of ingested messages (ingest-commit.ts) shares between its messages:
 * the person index looked up for all of their people at once, and the writes of new people
 * and of records held back and made together at the end.
 *
 * The lookups are only used while nothing written earlier in the batch could have changed
 * them: a person whose identifiers, blocking keys, candidates or ids were touched by an
 * earlier person of the batch, or any person after a merge, is resolved the ordinary way,
 * after everything held back has been written. So every person is resolved exactly as it
 * would have been had the messages been committed one after another.
 */
import type { Person } from '../model/person.js';
import type { Queryable } from '../store/db.js';
import type { PersonSource } from '../store/person-index-repo.js';
import type { KnownPerson, PersonLookup, PersonRows } from '../store/person-batch-repo.js';
import { knownPeople, lookUpPeople, writePeople } from '../store/person-batch-repo.js';
import type { WriteOutcome } from '../store/plans-repo.js';
import type { RecordSealer, StoredRecord, StoredRecordType } from '../store/records-repo.js';
import { upsertRecords } from '../store/records-repo.js';
import type { IndexMode } from './index-mode.js';

export interface PendingRecord {
  type: StoredRecordType;
  record: StoredRecord;
  sourceId?: string | undefined;
  householdId?: string | undefined;
}

interface Looked {
  bySource: PersonSource[];
  candidates: PersonSource[];
  keys: string[];
}

const identifierKey = (i: { system: string; value: string }) => `${i.system}|${i.value}`;

export class IngestBatch {
  private looked = new Map<Person, Looked>();
  private taken = new Set<string>();
  /** Identifiers, blocking keys, person and source ids written in this batch so far. */
  private dirty = new Set<string>();
  /** A merge happened: people may have moved, so nothing looked up before is trusted. */
  private unsettled = false;
  private people: PersonRows[] = [];
  /** The people the lookups found, with their sources and households. */
  private known = new Map<string, KnownPerson>();
  private records: { pending: PendingRecord[]; outcomes: { id: string; outcome: WriteOutcome | 'valid' }[] }[] = [];
  private recordIds = new Set<string>();
  /** New people's source records held back, by blocking key: later people of the batch find them as candidates. */
  private heldByKey = new Map<string, PersonSource[]>();
  /** Their person and source ids. */
  private held = new Set<string>();

  constructor(
    readonly mode: IndexMode,
    private readonly sealer: RecordSealer | undefined,
  ) {}

  /** Looks up every incoming person of the batch (schema-checked), with the ids a new person and source of theirs would take. */
  private limit = 0;

  async prefetch(tx: Queryable, people: readonly { person: Person; personId: string; sourceId: string }[], limit: number): Promise<void> {
    this.limit = limit;
    const lookups: PersonLookup[] = people.map(({ person }) => ({ identifiers: person.identifiers, keys: this.mode.candidateKeys(person) }));
    const { found, taken } = await lookUpPeople(tx, lookups, limit, { persons: people.map((p) => p.personId), sources: people.map((p) => p.sourceId) });
    people.forEach(({ person }, i) => this.looked.set(person, { ...found[i]!, keys: [...lookups[i]!.keys] }));
    this.taken = taken;
    this.known = await knownPeople(tx, [...new Set(found.flatMap((f) => f.bySource.map((s) => s.personId)))]);
  }

  /** A person the lookups found, as it was then, unless something in the batch has written it since. */
  knownPerson(id: string): KnownPerson | undefined {
    return this.unsettled || this.dirty.has(`person:${id}`) ? undefined : this.known.get(id);
  }

  /**
   * What the batch's lookup found for this person, if it still holds: none of its
   * identifiers, blocking keys or candidates written since. Undefined means resolve it the
   * ordinary way (after flush).
   */
  lookup(person: Person): { bySource: PersonSource[]; candidates: PersonSource[]; keys: string[] } | undefined {
    const l = this.looked.get(person);
    if (!l || this.unsettled) return undefined;
    if (person.identifiers.some((i) => this.dirty.has(`id:${identifierKey(i)}`))) return undefined;
    if (l.keys.some((k) => this.dirty.has(`key:${k}`))) return undefined;
    if ([...l.bySource, ...l.candidates].some((s) => this.dirty.has(`source:${s.id}`) || this.dirty.has(`person:${s.personId}`))) return undefined;
    // New people held back under one of its blocking keys are candidates too, as the database
    // would return them once written (the same filter: another value of one of its identifier systems leaves one out).
    const pairs = new Set(person.identifiers.map(identifierKey));
    const systems = new Set(person.identifiers.map((i) => i.system));
    const held = new Map<string, PersonSource>();
    for (const k of l.keys) {
      for (const s of this.heldByKey.get(k) ?? []) {
        if (!s.record.identifiers.some((i) => systems.has(i.system) && !pairs.has(identifierKey(i)))) held.set(s.id, s);
      }
    }
    if (held.size === 0) return l;
    // Past the candidate limit the database would choose which to return: not this batch's to guess.
    if (l.candidates.length + held.size >= this.limit) return undefined;
    return { ...l, candidates: [...l.candidates, ...held.values()] };
  }

  /** Whether an id (person or source) was free when looked up and has not been written since. */
  isFree(id: string, kind: 'person' | 'source'): boolean {
    return !this.taken.has(id) && !this.dirty.has(`${kind}:${id}`);
  }

  /**
   * Holds a person's rows back, to be written with the others. A new person's source record
   * is also a candidate for later people of the batch sharing one of its blocking keys.
   */
  addPerson(rows: PersonRows, source: PersonSource): void {
    this.people.push(rows);
    this.mark([...rows.person.identifiers, ...rows.source.record.identifiers], rows.known ? rows.keys : [], rows.person.id, rows.source.id);
    if (rows.known) return;
    this.held.add(rows.person.id).add(rows.source.id);
    for (const k of new Set(rows.keys)) this.heldByKey.set(k, [...(this.heldByKey.get(k) ?? []), source]);
  }

  private mark(identifiers: readonly { system: string; value: string }[], keys: readonly string[], personId: string, sourceId: string): void {
    for (const i of identifiers) this.dirty.add(`id:${identifierKey(i)}`);
    for (const k of keys) this.dirty.add(`key:${k}`);
    this.dirty.add(`person:${personId}`);
    this.dirty.add(`source:${sourceId}`);
  }

  /** Notes what an ordinary resolution wrote, so later lookups touching it are not trusted. */
  touched(identifiers: readonly { system: string; value: string }[], keys: readonly string[], personId: string, sourceId: string, merged: readonly string[] = []): void {
    this.mark(identifiers, keys, personId, sourceId);
    // A merge moves people; a change to a new person held back makes its held copy stale.
    if (merged.length > 0 || this.held.has(personId) || this.held.has(sourceId)) this.unsettled = true;
  }

  /**
   * Holds a message's records back; at flush their outcomes (created / updated / unchanged)
   * are filled in. A record already held back (the same message twice in a batch) is written
   * first, so the second sees it as the one-by-one order would.
   */
  async addRecords(tx: Queryable, pending: PendingRecord[], outcomes: { id: string; outcome: WriteOutcome | 'valid' }[]): Promise<void> {
    if (pending.some((p) => this.recordIds.has(p.record.id))) await this.flush(tx);
    for (const p of pending) this.recordIds.add(p.record.id);
    this.records.push({ pending, outcomes });
  }

  /** Writes everything held back: new people first, then the records that refer to them. */
  async flush(tx: Queryable): Promise<void> {
    const people = this.people;
    const records = this.records;
    this.people = [];
    this.records = [];
    this.recordIds.clear();
    await writePeople(tx, people);
    if (records.length === 0) return;
    const written = await upsertRecords(
      tx,
      records.flatMap((r) => r.pending),
      this.sealer,
    );
    for (const r of records) for (const o of r.outcomes) if (o.outcome === 'valid') o.outcome = written.get(o.id) ?? 'unchanged';
  }
}
