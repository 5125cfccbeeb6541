/**
 * The person index and plan writes of a CP-IS bulk upload, a chunk of records at a time.
 *
 * A CP-IS record names its person by one identifier (the NHS number) and nothing else, so
 * resolving it is the simple end of resolveIncomingPerson (services/person-index.ts): no
 * demographics to match on, so the person is the one whose source records hold that NHS
 * number, or a new one. This module does exactly what resolveIncomingPerson and upsertPlan
 * would do for such records, one after another, but against state read for the whole
 * chunk in a few statements and with the writes kept until the chunk ends, then made in a
 * few multi-row statements (store/bulk-index-repo.ts). Anything off that simple path (two
 * people holding the number, identifiers that disagree, a record with more than an NHS
 * number) is left to the caller, who flushes and runs the ordinary path for that record.
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../audit/chain.js';
import type { HouseholdKey } from '../matching/household.js';
import { deterministicId } from '../model/ids.js';
import type { Person } from '../model/person.js';
import type { ProtectionPlan } from '../model/protection-plan.js';
import { NHS_NUMBER_SYSTEM } from '../model/systems.js';
import type { LoadedSource } from '../store/bulk-index-repo.js';
import { identifierOwners, peopleByIds, plansByIds, sourceIdsByValues, sourcesByIds, sourcesOfPeople, writeHouseholds, writePeople, writePlans, writeSources } from '../store/bulk-index-repo.js';
import type { Queryable } from '../store/db.js';
import { mergePersonRecords } from '../store/people-repo.js';
import type { PersonSource } from '../store/person-index-repo.js';
import type { WriteOutcome } from '../store/plans-repo.js';
import { substance } from '../store/plans-repo.js';
import type { IndexMode } from './index-mode.js';
import type { MatchOutcome, Resolved } from './person-index.js';
import { identifierConflicts, verifiedNhs } from './person-index.js';

/** One source record in memory: as read or as this upload left it, and whether this transaction wrote it. */
interface Held {
  source: PersonSource;
  keys?: readonly string[];
  touched: boolean;
}

/** What one chunk of a CP-IS upload reads, changes and then writes. */
export class CpisBulkIndex {
  private readonly sources = new Map<string, Held>();
  /** Each person's source ids, oldest change first (the order rebuildPerson folds them in). */
  private readonly personSources = new Map<string, string[]>();
  /** NHS number → ids of the source records holding it. */
  private readonly valueSources = new Map<string, string[]>();
  /** People read or written; a deterministic person id absent here does not exist. */
  private readonly people = new Map<string, Person>();
  /** NHS number → the person person_identifiers points it at. */
  private readonly identifierOwner = new Map<string, string>();
  private readonly plans = new Map<string, ProtectionPlan>();
  private readonly loaded = new Set<string>();

  private readonly pendingPeople = new Map<string, Person>();
  private readonly pendingSources = new Map<string, Held>();
  private readonly pendingHouseholds = new Map<string, HouseholdKey | null>();
  private readonly pendingPlans = new Map<string, { plan: ProtectionPlan; sourceId: string | undefined }>();

  private constructor(
    private readonly tx: Queryable,
    private readonly mode: IndexMode,
    private readonly owner: string,
  ) {}

  /** Reads what the records naming these NHS numbers and writing these plans need. */
  static async load(tx: Queryable, mode: IndexMode, owner: string, nhsNumbers: readonly string[], planIds: readonly string[]): Promise<CpisBulkIndex> {
    const state = new CpisBulkIndex(tx, mode, owner);
    const values = [...new Set(nhsNumbers)];
    const byValue = await sourceIdsByValues(tx, NHS_NUMBER_SYSTEM, values);
    const owners = await identifierOwners(tx, NHS_NUMBER_SYSTEM, values);
    // The sources an upload would create, in case one exists already without holding the number.
    const deterministicSources = values.map((v) => deterministicId('PersonSource', owner, `${NHS_NUMBER_SYSTEM}|${v}`));
    const named = await sourcesByIds(tx, [...new Set([...[...byValue.values()].flat(), ...deterministicSources])]);
    const personIds = [...new Set(named.map((s) => s.source.personId))];
    const ofPeople = await sourcesOfPeople(tx, personIds);
    const people = await peopleByIds(tx, [...new Set([...personIds, ...owners.values(), ...values.map((v) => deterministicId('Person', NHS_NUMBER_SYSTEM, v))])]);
    const plans = await plansByIds(tx, [...new Set(planIds)]);

    const hold = (l: LoadedSource) => state.sources.set(l.source.id, { source: l.source, touched: l.touched });
    named.forEach(hold);
    for (const [personId, list] of ofPeople) {
      list.forEach(hold);
      state.personSources.set(personId, list.map((l) => l.source.id));
    }
    for (const v of values) {
      state.loaded.add(v);
      state.valueSources.set(v, byValue.get(v) ?? []);
    }
    for (const [v, p] of owners) state.identifierOwner.set(v, p);
    for (const [id, p] of people) state.people.set(id, p);
    for (const [id, p] of plans) state.plans.set(id, p);
    return state;
  }

  /** findPersonByIdentifier for a loaded NHS number, as the upload has left the index so far. */
  knownPerson(nhs: string): Person | null {
    const id = this.identifierOwner.get(nhs);
    return id === undefined ? null : (this.people.get(id) ?? null);
  }

  /**
   * resolveIncomingPerson for a person named only by a loaded NHS number; null when the
   * record is not that simple, and then nothing was changed.
   */
  resolve(incoming: Person): Resolved | null {
    const ident = incoming.identifiers[0];
    if (incoming.identifiers.length !== 1 || ident?.system !== NHS_NUMBER_SYSTEM || !this.loaded.has(ident.value)) return null;
    // Anything the model could match on, or a date of birth to check, takes the ordinary path.
    if (this.mode.candidateKeys(incoming).length > 0 || incoming.birthDate !== undefined) return null;
    const bySources = (this.valueSources.get(ident.value) ?? []).map((id) => this.sources.get(id)!.source);
    const own = bySources.find((s) => s.owner === this.owner);
    const personIds = [...new Set(bySources.map((s) => s.personId))];
    if (personIds.length > 1) return null;
    const match: MatchOutcome = { method: 'new', reviews: [], merged: [] };
    let target: string | undefined;
    if (personIds.length === 1) {
      const p = this.people.get(personIds[0]!);
      if (!p || identifierConflicts(incoming.identifiers, p.identifiers).length > 0) return null;
      target = personIds[0]!;
      const nhs = verifiedNhs(incoming);
      match.method = nhs && p.identifiers.some((i) => i.system === NHS_NUMBER_SYSTEM && i.value === nhs) ? 'nhs-number' : 'identifier';
    }
    if (own && own.personId === target && own.link === 'manual') match.method = 'manual';

    const sourceId = own?.id ?? deterministicId('PersonSource', this.owner, `${ident.system}|${ident.value}`);
    // A source of that id that does not hold the number (split off, re-keyed) is for the ordinary path.
    if (!own && this.sources.has(sourceId)) return null;
    // The fold order of a person's sources is by last change: only one written in this transaction keeps it plain.
    if (target !== undefined && (this.personSources.get(target) ?? []).some((id) => id !== sourceId && this.sources.get(id)?.touched)) return null;

    const existing = target === undefined ? null : this.people.get(target)!;
    let personId = target;
    if (personId === undefined) {
      const id = deterministicId('Person', ident.system, ident.value);
      personId = this.people.has(id) ? deterministicId('Person', 'new', randomUUID()) : id;
    }
    const before = existing ? canonicalJson({ ...existing, provenance: null, lineage: null }) : null;
    const sourceRecord = mergePersonRecords(own ? { ...this.mode.open(own), id: personId } : null, { ...incoming, id: personId, owner: this.owner });
    const stored = this.mode.store(sourceId, this.owner, sourceRecord);
    const source: PersonSource = {
      id: sourceId,
      owner: this.owner,
      personId,
      record: stored.record,
      link: match.method,
      probability: null,
      updatedAt: '',
      ...(stored.sealed ? { sealed: stored.sealed } : {}),
      ...(stored.pseudonym ? { pseudonym: stored.pseudonym } : {}),
    };
    let person: Person;
    let key: HouseholdKey | null;
    if (!existing) {
      person = this.mode.personView(sourceRecord);
      this.writePerson(person);
      this.writeSource(source, stored.keys);
      key = this.mode.householdKey(sourceRecord);
    } else {
      this.writeSource(source, stored.keys);
      // rebuildPerson: the fold of the person's sources, oldest change first.
      let folded: Person | null = null;
      const list = this.personSources.get(personId)!;
      for (const id of list) folded = mergePersonRecords(folded, { ...this.mode.open(this.sources.get(id)!.source), id: personId });
      const full: Person = { ...folded!, owner: existing.owner, securityLabel: existing.securityLabel };
      person = this.mode.personView(full);
      this.writePerson(person);
      key = this.mode.householdKey(full);
    }
    this.pendingHouseholds.set(personId, key);
    const after = canonicalJson({ ...person, provenance: null, lineage: null });
    return {
      person,
      outcome: existing === null ? 'created' : before === after ? 'unchanged' : 'updated',
      sourceId,
      householdId: key === null ? null : deterministicId('Household', key.key),
      match,
    };
  }

  /** upsertPlan: what a write of this plan would be, remembered for the flush. */
  plan(plan: ProtectionPlan, sourceId: string | undefined): WriteOutcome {
    const before = this.plans.get(plan.id);
    if (before && substance(before) === substance(plan)) return 'unchanged';
    this.plans.set(plan.id, plan);
    this.pendingPlans.set(plan.id, { plan, sourceId });
    return before ? 'updated' : 'created';
  }

  /** Writes what the chunk changed, table by table. */
  async flush(): Promise<void> {
    await writePeople(this.tx, [...this.pendingPeople.values()]);
    await writeSources(this.tx, [...this.pendingSources.values()].map((h) => ({ source: h.source, keys: h.keys ?? [] })));
    await writeHouseholds(this.tx, [...this.pendingHouseholds].map(([personId, key]) => ({ personId, key })));
    await writePlans(this.tx, [...this.pendingPlans.values()]);
    this.pendingPeople.clear();
    this.pendingSources.clear();
    this.pendingHouseholds.clear();
    this.pendingPlans.clear();
  }

  private writePerson(p: Person): void {
    this.people.set(p.id, p);
    this.pendingPeople.set(p.id, p);
    // person_identifiers keeps the person an identifier first pointed at.
    for (const i of p.identifiers) if (i.system === NHS_NUMBER_SYSTEM && this.loaded.has(i.value) && !this.identifierOwner.has(i.value)) this.identifierOwner.set(i.value, p.id);
  }

  private writeSource(source: PersonSource, keys: readonly string[]): void {
    const held: Held = { source, keys, touched: true };
    this.sources.set(source.id, held);
    this.pendingSources.set(source.id, held);
    // Written now, so last in its person's fold order.
    const list = (this.personSources.get(source.personId) ?? []).filter((id) => id !== source.id);
    list.push(source.id);
    this.personSources.set(source.personId, list);
    for (const i of source.record.identifiers) {
      if (i.system !== NHS_NUMBER_SYSTEM || !this.loaded.has(i.value)) continue;
      const ids = this.valueSources.get(i.value) ?? [];
      if (!ids.includes(source.id)) this.valueSources.set(i.value, [...ids, source.id]);
    }
  }
}
