/**
 * How the person index stores and matches people: in clear (the default), or
 * pseudonymised (SGW_MATCHING_MODE=pseudonymised), where
 *
 * - the matcher sees only keyed HMAC pseudonyms and hardened Bloom filters
 *   (src/matching/pseudonym*.ts): blocking keys in the database are HMACs and candidates
 *   are scored on their stored pseudonyms, never on clear demographics;
 * - each source record's demographics are sealed (AES-256-GCM) under the owning agency's
 *   data key, and the clear record keeps only its identifiers, which agencies address the
 *   child by (the NHS number for CP-IS);
 * - a person's own record keeps identifiers only; household keys are HMACs too.
 *
 * The keys live outside the database (src/crypto/keys.ts): a copy of the database alone
 * opens nothing.
 */
import type { Envelope } from '../crypto/envelope.js';
import { openJson, sealJson } from '../crypto/envelope.js';
import type { KeySet } from '../crypto/keys.js';
import { blockingKeys } from '../matching/blocking.js';
import type { HouseholdKey } from '../matching/household.js';
import { personHouseholdKey } from '../matching/household.js';
import type { CandidateScore, Matcher } from '../matching/matcher.js';
import { priorForIndexSize, priorShift, weightToProbability } from '../matching/model.js';
import { toMatchRecord } from '../matching/normalise.js';
import type { PseudonymMatcher } from '../matching/pseudonym-matcher.js';
import type { PseudonymRecordJson } from '../matching/pseudonym.js';
import { createPseudonymiser } from '../matching/pseudonym.js';
import type { Person } from '../model/person.js';
import type { PersonSource } from '../store/person-index-repo.js';
import type { RecordSealer, StoredRecord } from '../store/records-repo.js';
import { canonicalJson } from '../audit/chain.js';
import crypto from 'node:crypto';

export interface StoredSource {
  /** What goes in the clear `record` column. */
  record: Person;
  sealed?: Envelope;
  pseudonym?: PseudonymRecordJson;
  /** Blocking keys to file. */
  keys: string[];
}

export interface IndexMode {
  readonly kind: 'clear' | 'pseudonymised';
  readonly thresholds: { match: number; possible: number };
  /** The model's prior λ, for the index-size check (see applyIndexPrior). */
  readonly lambda: number;
  /** The stored form of a source record. */
  store(sourceId: string, owner: string, full: Person): StoredSource;
  /** A source record as its agency sent it (opening the seal in pseudonymised mode). */
  open(s: PersonSource): Person;
  /** What the person's own row keeps of the fold of its sources. */
  personView(full: Person): Person;
  /** Blocking keys to look candidates up by. */
  candidateKeys(incoming: Person): string[];
  /** Scores the incoming person against candidate source records; best first, ids are the sources'. */
  score(incoming: Person, candidates: readonly PersonSource[]): CandidateScore[];
  householdKey(full: Person): HouseholdKey | null;
  /** Pseudonymised mode: seals attendances, case events, relationships and consents under their owner's key. */
  readonly records?: RecordSealer;
}

/**
 * Whether a person has a name to compare. Without one (a census child) the model can say
 * nothing, not even 'possible' (see matcher.ts), so such records are neither filed under
 * blocking keys nor looked up by them: they link by identifiers only.
 */
function hasName(p: Pick<Person, 'names'>): boolean {
  return p.names.some((n) => n.family !== undefined || n.given.length > 0);
}

export function clearIndexMode(matcher: Matcher): IndexMode {
  const keysOf = (p: Person) => (hasName(p) ? blockingKeys(toMatchRecord(p)) : []);
  return {
    kind: 'clear',
    thresholds: matcher.model.thresholds,
    lambda: matcher.model.lambda,
    store: (_id, _owner, full) => ({ record: full, keys: keysOf(full) }),
    open: (s) => s.record,
    personView: (full) => full,
    candidateKeys: (incoming) => keysOf({ ...incoming, id: 'incoming' }),
    score: (incoming, candidates) => matcher.score(toMatchRecord({ ...incoming, id: 'incoming' }), candidates.map((c) => toMatchRecord({ ...c.record, id: c.id }))),
    householdKey: personHouseholdKey,
  };
}

/** Demographics are sealed; the clear record keeps who the person is to each agency. */
function identifiersOnly(p: Person): Person {
  return {
    id: p.id,
    identifiers: p.identifiers,
    names: [],
    addresses: [],
    owner: p.owner,
    provenance: p.provenance,
    securityLabel: p.securityLabel,
  };
}

export function pseudonymisedIndexMode(pm: PseudonymMatcher, keys: KeySet): IndexMode {
  const household = createPseudonymiser(keys.linkageSecret);
  return {
    kind: 'pseudonymised',
    thresholds: pm.model.thresholds,
    lambda: pm.model.lambda,
    store(sourceId, owner, full) {
      const pseudonym = pm.encode(full);
      return { record: identifiersOnly(full), sealed: sealJson(keys.dataKeys, { agency: owner, recordId: sourceId }, full), pseudonym, keys: hasName(full) ? pm.blockingKeys(pseudonym) : [] };
    },
    open(s) {
      if (s.sealed === undefined) return s.record; // indexed before the mode was switched on
      return openJson(keys.dataKeys, s.sealed, { agency: s.owner, recordId: s.id }) as Person;
    },
    personView: identifiersOnly,
    candidateKeys: (incoming) => (hasName(incoming) ? pm.blockingKeys(pm.encode(incoming)) : []),
    score(incoming, candidates) {
      const encoded = pm.encode(incoming);
      return pm.score(
        encoded,
        candidates.filter((c) => c.pseudonym !== undefined).map((c) => ({ id: c.id, pseudonym: c.pseudonym as PseudonymRecordJson })),
      );
    },
    records: {
      seal(r) {
        const { provenance: _p, lineage: _l, ...substance } = r;
        const digest = crypto.createHmac('sha256', keys.dataKeys.active(r.owner).key).update(canonicalJson(substance)).digest('base64url');
        return { stub: { id: r.id, subjectPersonId: r.subjectPersonId, owner: r.owner, provenance: r.provenance }, sealed: sealJson(keys.dataKeys, { agency: r.owner, recordId: r.id }, r), substance: digest };
      },
      // The subject is the stub's: a merge or an unlink rewrites it there, not inside the seal.
      open: (stub, sealed) => ({ ...(openJson(keys.dataKeys, sealed, { agency: stub.owner, recordId: stub.id }) as StoredRecord), subjectPersonId: stub.subjectPersonId }),
    },
    householdKey(full) {
      const k = personHouseholdKey(full);
      return k === null ? null : { key: `hmac|${household.blockingKey('household', k.key)}`, basis: k.basis };
    },
  };
}

/**
 * An automatic link must also clear the match threshold at the prior of the index it is
 * made in: for one incoming child among `people` indexed, the chance that a given one is
 * that child is about k/people (priorForIndexSize), far below the training data's λ in a
 * large index. A 'match' that does not is lowered to 'possible'; the review band stays at
 * the model's own λ, so true duplicates the stricter prior stops still reach a person
 * rather than silently becoming a second person. Small indexes keep the model's λ.
 */
export function applyIndexPrior(mode: Pick<IndexMode, 'lambda' | 'thresholds'>, scores: CandidateScore[], people: number): CandidateScore[] {
  const shift = priorShift({ lambda: mode.lambda }, priorForIndexSize({ lambda: mode.lambda }, people));
  if (shift === 0) return scores;
  return scores.map((s) => {
    if (s.decision !== 'match' || weightToProbability(s.weight + shift) >= mode.thresholds.match) return s;
    return { ...s, decision: 'possible', guard: `not enough evidence for an automatic link in an index of ${people.toLocaleString('en-GB')} people` };
  });
}
