import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseNotificationAlerts } from '../../src/alerts/raise.js';
import { sweepAlerts } from '../../src/alerts/sweep.js';
import { loadAgencies } from '../../src/config/agencies.js';
import { loadAlertRules } from '../../src/config/alert-rules.js';
import { createLogger } from '../../src/log.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { GatewayContext } from '../../src/services/context.js';
import { getAlert } from '../../src/store/alerts-repo.js';
import { syncAgencies } from '../../src/store/agencies-repo.js';
import { insertHousehold, insertPerson, insertPlan, policeNotification, storeNotification } from '../helpers/alert-fixtures.js';
import type { TestDb } from '../helpers/test-db.js';
import { createTestDb } from '../helpers/test-db.js';

let t: TestDb;
let ctx: GatewayContext;
const clock = { now: new Date('2026-11-20T10:00:00Z') };
const responsible = new Map([
  ['child-a', 'la:383'],
  ['child-b', 'la:383'],
  ['child-c', 'la:201'],
]);

beforeAll(async () => {
  t = await createTestDb();
  const config = path.join(PACKAGE_ROOT, 'config');
  const agencies = loadAgencies(config).agencies;
  await syncAgencies(t.db, agencies.values());
  ctx = { db: t.db, agencies, now: () => clock.now, log: createLogger('silent'), alertRules: loadAlertRules(config).rules, index: { kind: 'clear' } } as unknown as GatewayContext;
  for (const id of ['child-a', 'child-b', 'child-c', 'child-d', 'adult-1']) await insertPerson(t.db, id);
});
afterAll(async () => t.dispose());

async function raise(n: ReturnType<typeof policeNotification>, routedTo?: string) {
  return t.db.transaction(async (tx) => {
    await storeNotification(tx, n, routedTo);
    return raiseNotificationAlerts(ctx, tx, n, responsible);
  });
}

describe('raiseNotificationAlerts', () => {
  it('high-risk domestic abuse where a sibling in the household is on a plan: one alert to the responsible LA, with its reasons stored', async () => {
    await insertHousehold(t.db, 'hh-1', ['child-a', 'child-b', 'adult-1']);
    await insertPlan(t.db, 'plan-b', 'child-b');
    const n = policeNotification('n-da-1', { type: 'domestic-abuse', riskGrade: { grade: 'high', dashYesCount: 16 }, people: [{ personId: 'child-a', roles: ['subject-child'] }, { personId: 'adult-1', roles: ['victim'] }] });
    const raised = await raise(n);
    expect(raised).toEqual([expect.objectContaining({ rule: 'domestic-abuse-high-household-plan', recipient: 'la:383', personId: 'child-a', severity: 'high' })]);
    const stored = await getAlert(t.db, raised[0]!.id);
    expect(stored).toMatchObject({ status: 'open', ruleVersion: 1, householdId: 'hh-1', raisedAt: '2026-11-20T10:00:00.000Z' });
    expect(stored!.reasons).toEqual(
      expect.arrayContaining([
        { fact: 'riskGrade', value: 'high', source: 'PoliceNotification/n-da-1' },
        { fact: 'householdChildActiveProtectionPlan', value: 'child-protection-plan since 2026-05-01', source: 'ProtectionPlan/plan-b' },
      ]),
    );
  });

  it('evaluating the same notification twice raises once', async () => {
    const n = policeNotification('n-da-1');
    const again = await t.db.transaction((tx) => raiseNotificationAlerts(ctx, tx, { ...n, type: 'domestic-abuse', riskGrade: { grade: 'high' }, persons: [{ ref: 'p0', roles: ['subject-child'], personId: 'child-a', name: { given: ['Test'] } }] }, responsible));
    expect(again).toEqual([]);
    const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE rule_id = 'domestic-abuse-high-household-plan'`);
    expect(row!.n).toBe(1);
  });

  it('a missing child on a plan raises; one not on a plan does not; a child with no responsible LA raises nothing', async () => {
    await insertPlan(t.db, 'plan-c', 'child-c', { owner: 'la:201' });
    const raised = await raise(policeNotification('n-missing-1', { type: 'missing', people: [{ personId: 'child-c', roles: ['subject-child'] }, { personId: 'child-d', roles: ['subject-child'] }] }));
    expect(raised.map((a) => [a.rule, a.personId, a.recipient])).toEqual([['missing-child-on-plan', 'child-c', 'la:201']]);
    await insertPlan(t.db, 'plan-d', 'child-d');
    expect(await raise(policeNotification('n-missing-2', { type: 'missing', people: [{ personId: 'child-d', roles: ['subject-child'] }] }))).toEqual([]);
  });

  it('a responsible LA that is not a configured agency gets no alert, and the notification still commits', async () => {
    await insertPerson(t.db, 'child-z');
    await insertPlan(t.db, 'plan-z', 'child-z');
    responsible.set('child-z', 'la:999');
    expect(await raise(policeNotification('n-missing-z', { type: 'missing', people: [{ personId: 'child-z', roles: ['subject-child'] }] }))).toEqual([]);
    expect(await t.db.query(`SELECT id FROM police_notifications WHERE id = 'n-missing-z'`)).toHaveLength(1);
  });

  it('the third notification about a child within 90 days raises; the second does not', async () => {
    await insertPerson(t.db, 'child-e');
    responsible.set('child-e', 'la:383');
    const about = (id: string, at: string) => policeNotification(id, { occurredAt: at, people: [{ personId: 'child-e', roles: ['subject-child'] }] });
    expect(await raise(about('n-e-1', '2026-07-01T10:00:00Z'))).toEqual([]);
    expect(await raise(about('n-e-2', '2026-10-01T10:00:00Z'))).toEqual([]);
    // 2026-07-01 is more than 90 days before 2026-10-05: only two within the window.
    expect(await raise(about('n-e-3', '2026-10-05T10:00:00Z'))).toEqual([]);
    const raised = await raise(about('n-e-4', '2026-11-19T10:00:00Z'));
    expect(raised.map((a) => a.rule)).toEqual(['third-notification-in-90-days']);
    const stored = await getAlert(t.db, raised[0]!.id);
    expect(stored!.reasons.map((r) => r.source)).toEqual(['PoliceNotification/n-e-4', 'PoliceNotification/n-e-2', 'PoliceNotification/n-e-3']);
  });

  it('a police-protection-s46 action lasting over 72 hours raises at once; a running one is raised by the sweep when it passes 72 hours, once', async () => {
    await insertPerson(t.db, 'child-f');
    responsible.set('child-f', 'la:383');
    const ended = policeNotification('n-pp-1', { actionsTaken: [{ code: 'police-protection-s46', at: '2026-11-15T08:00:00Z', endedAt: '2026-11-18T09:00:00Z' }], people: [{ personId: 'child-f', roles: ['subject-child'] }] });
    expect((await raise(ended)).map((a) => a.rule)).toEqual(['police-protection-over-72-hours']);

    await insertPerson(t.db, 'child-g');
    responsible.set('child-g', 'la:383');
    const running = policeNotification('n-pp-2', { occurredAt: '2026-11-18T20:00:00Z', actionsTaken: [{ code: 'police-protection-s46', at: '2026-11-18T20:00:00Z' }], people: [{ personId: 'child-g', roles: ['subject-child'] }] });
    expect(await raise(running, 'la:383')).toEqual([]);
    expect((await sweepAlerts(ctx, clock.now)).filter((a) => a.personId === 'child-g')).toEqual([]);
    const later = new Date('2026-11-21T20:00:01Z');
    const swept = await sweepAlerts(ctx, later);
    expect(swept.map((a) => [a.rule, a.personId, a.recipient])).toEqual([['police-protection-over-72-hours', 'child-g', 'la:383']]);
    expect(await sweepAlerts(ctx, later)).toEqual([]);
  });

  it('the periodic sweep looks only at police protection still running; the full sweep at start-up looks at all', async () => {
    for (const id of ['child-h', 'child-i']) await insertPerson(t.db, id);
    // Stored without being evaluated (as by a gateway without this rule): ended, and overdue.
    const ended = policeNotification('n-pp-3', { actionsTaken: [{ code: 'police-protection-s46', at: '2026-11-01T08:00:00Z', endedAt: '2026-11-05T08:00:00Z' }], people: [{ personId: 'child-h', roles: ['subject-child'] }] });
    const running = policeNotification('n-pp-4', { actionsTaken: [{ code: 'arrest' }, { code: 'police-protection-s46', at: '2026-11-10T08:00:00Z' }], people: [{ personId: 'child-i', roles: ['subject-child'] }] });
    await t.db.transaction(async (tx) => {
      await storeNotification(tx, ended, 'la:383');
      await storeNotification(tx, running, 'la:201');
    });
    const periodic = await sweepAlerts(ctx, clock.now, { openOnly: true });
    expect(periodic.map((a) => [a.personId, a.recipient])).toEqual([['child-i', 'la:201']]);
    const full = await sweepAlerts(ctx, clock.now);
    expect(full.map((a) => a.personId)).toEqual(['child-h']);
  });
});
