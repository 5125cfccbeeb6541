import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgencies } from '../../src/config/agencies.js';
import type { Person } from '../../src/model/person.js';
import type { ProtectionPlan } from '../../src/model/protection-plan.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { indexUnkeyedSources, mergePeople } from '../../src/services/person-index.js';
import { clearIndexMode } from '../../src/services/index-mode.js';
import { loadMatcher } from '../../src/matching/matcher.js';
import { syncAgencies } from '../../src/store/agencies-repo.js';
import { MIGRATIONS_DIR, migrate } from '../../src/store/migrate.js';
import { getPersonById, upsertPerson } from '../../src/store/people-repo.js';
import { currentPersonId, peopleInIndex, saveSource, sourcesOfPerson } from '../../src/store/person-index-repo.js';
import { getPlan, upsertPlan } from '../../src/store/plans-repo.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const LA_CHILD = 'https://sgw.example/fhir/Id/la-child-id/383';
const provenance = { agency: 'la:383', format: 'fhir-r4-json' as const, receivedAt: '2026-11-20T10:00:00.000Z' };
const dbs: TestDb[] = [];
const MODE = clearIndexMode(loadMatcher(path.join(PACKAGE_ROOT, 'config')));
afterAll(async () => {
  for (const d of dbs) await d.dispose();
});

function person(id: string, identifiers: Person['identifiers'], over: Partial<Person> = {}): Person {
  return { id, identifiers, names: [{ use: 'official', given: ['Robin'], family: 'Tester' }], birthDate: '2015-03-04', addresses: [], owner: 'la:383', provenance, securityLabel: 'N', ...over };
}

function plan(id: string, personId: string): ProtectionPlan {
  return { id, subjectPersonId: personId, kind: 'child-protection-plan', period: { start: '2026-01-10' }, owner: 'la:383', status: 'recorded', sourceIdentifiers: [], provenance, securityLabel: 'N' };
}

describe('migration 0003 (person matching)', () => {
  it('turns every person already indexed into a source record of its own, whose blocking keys are filed at start-up', async () => {
    const before = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-migrations-'));
    for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f < '0003')) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(before, f));
    const t = await createTestDb({ migrations: before });
    dbs.push(t);
    await upsertPerson(t.db, person('p-old', [{ system: NHS, value: '9990000018', verificationStatus: '01' }]), null);
    expect(await migrate(t.db)).toContain('0003_person_matching');
    const sources = await sourcesOfPerson(t.db, 'p-old');
    expect(sources.map((s) => [s.id, s.owner, s.link])).toEqual([['src-p-old', 'la:383', 'new']]);
    const [ids] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM person_source_identifiers WHERE source_id = 'src-p-old'");
    expect(ids!.n).toBe(1);
    expect(await indexUnkeyedSources(t.db, MODE)).toBe(1);
    const [keys] = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM person_blocking_keys WHERE source_id = 'src-p-old'");
    expect(keys!.n).toBeGreaterThan(2);
    expect(await indexUnkeyedSources(t.db, MODE)).toBe(0);
    fs.rmSync(before, { recursive: true, force: true });
  });
});

describe('merging people', () => {
  it('moves sources, identifiers and plans to the survivor, rewrites the plan’s subject, and leaves a pointer behind', async () => {
    const t = await createTestDb();
    dbs.push(t);
    await syncAgencies(t.db, loadAgencies(path.join(PACKAGE_ROOT, 'config')).agencies.values());
    const a = person('p-a', [{ system: NHS, value: '9990000026', verificationStatus: '01' }]);
    const b = person('p-b', [{ system: LA_CHILD, value: 'C9' }]);
    for (const p of [a, b]) {
      await upsertPerson(t.db, p, null);
      await saveSource(t.db, { id: `s-${p.id}`, owner: p.owner, personId: p.id, record: p, link: 'new', probability: null }, []);
    }
    await upsertPlan(t.db, plan('plan-b', 'p-b'), 's-p-b');
    await t.db.transaction((tx) => mergePeople(tx, MODE, 'p-a', ['p-b'], '2026-11-20T10:00:00.000Z'));
    expect((await sourcesOfPerson(t.db, 'p-a')).map((s) => s.id).sort()).toEqual(['s-p-a', 's-p-b']);
    expect((await getPlan(t.db, 'plan-b'))?.subjectPersonId).toBe('p-a');
    expect(await currentPersonId(t.db, 'p-b')).toBe('p-a');
    // The index-size prior counts people, not the ids merged away.
    expect(await peopleInIndex(t.db)).toBe(1);
    const merged = await getPersonById(t.db, 'p-a');
    expect(merged?.identifiers.map((i) => i.system).sort()).toEqual([NHS, LA_CHILD].sort());
    const [row] = await t.db.query<{ person_id: string }>("SELECT person_id FROM person_identifiers WHERE system = $1 AND value = 'C9'", [LA_CHILD]);
    expect(row!.person_id).toBe('p-a');
  });
});
