import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepAlerts } from '../../src/alerts/sweep.js';
import { insertAlert } from '../../src/store/alerts-repo.js';
import { storedEntries } from '../helpers/audit-log.js';
import { insertPerson } from '../helpers/alert-fixtures.js';
import { episodesCsv } from '../helpers/messages.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway, HOUR } from '../helpers/test-gateway.js';

let t: TestGateway;
let la: string;
let otherLa: string;
let hospital: string;
let returns: string;
let alertId: string;

const codes = (res: request.Response): string[] => res.body.issue.flatMap((i: any) => i.details.coding.map((c: any) => c.code));
const get = (path: string, token: string) => request(t.gateway.app).get(path).set('Authorization', `Bearer ${token}`);
const post = (path: string, token: string, body?: unknown) => {
  const r = request(t.gateway.app).post(path).set('Authorization', `Bearer ${token}`);
  return body === undefined ? r : r.set('Content-Type', 'application/json').send(JSON.stringify(body));
};

/** The audit entries of requests about alerts, in order. */
async function alertAudit() {
  return (await storedEntries(t.testDb.db)).filter((e) => e.resourceType === 'Alert');
}

beforeAll(async () => {
  t = await createTestGateway(new Date('2026-11-20T10:00:00Z'));
  la = await t.token('la:383', 'la-social-worker', 'safeguarding-s47');
  otherLa = await t.token('la:201', 'la-social-worker', 'safeguarding-s47');
  hospital = await t.token('ods:RR8', 'unscheduled-care', 'TREAT');
  returns = await t.token('la:383', 'la-social-worker', 'statutory-return');
});
afterAll(async () => t.dispose());

describe('the police protection sweep over SSDA903 episodes', () => {
  it('an open L1 episode raises an alert to the episode’s LA once it is 4 days old, once however often swept', async () => {
    const csv = episodesCsv([{ child: 'PP6000', decom: '18/11/2026', ls: 'L1' }]);
    const res = await request(t.gateway.app).post('/ingest?format=ssda903').set('Authorization', `Bearer ${returns}`).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(201);
    const episode = res.body.records.find((r: any) => r.type === 'CaseEvent');
    expect(await sweepAlerts(t.gateway.ctx, t.clock.now)).toEqual([]);

    t.clock.advance(38 * HOUR); // 2026-11-22: 4 whole days after DECOM
    const raised = await sweepAlerts(t.gateway.ctx, t.clock.now, { openOnly: true }); // as the periodic sweep does
    expect(raised.map((a) => [a.rule, a.recipient])).toEqual([['police-protection-over-72-hours', 'la:383']]);
    expect(await sweepAlerts(t.gateway.ctx, t.clock.now)).toEqual([]);
    alertId = raised[0]!.id;

    const read = await get(`/alerts/${alertId}`, la);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: alertId,
      rule: 'police-protection-over-72-hours',
      ruleVersion: 1,
      severity: 'high',
      recipient: 'la:383',
      status: 'open',
      raisedAt: '2026-11-22T00:00:00.000Z',
      reasons: [{ fact: 'policeProtectionOver72Hours', value: 'legal status L1 from 2026-11-18, still open on 2026-11-22: 4 whole days, counted as 96 hours', source: `CaseEvent/${episode.id}` }],
      acknowledgedAt: null,
      closedAt: null,
      closeReason: null,
    });
  });

  it('an L1 episode already beyond 72 hours raises as soon as it is ingested', async () => {
    const csv = episodesCsv([{ child: 'PP6001', decom: '10/11/2026', ls: 'L1' }]);
    const res = await request(t.gateway.app).post('/ingest?format=ssda903').set('Authorization', `Bearer ${returns}`).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(201);
    const list = await get('/alerts', la);
    expect(list.body.alerts.map((a: any) => a.reasons[0].value)).toContain('legal status L1 from 2026-11-10, still open on 2026-11-22: 12 whole days, counted as 288 hours');
  });
});

describe('GET /alerts', () => {
  it('lists the caller’s agency’s alerts, newest first, filtered by status, audited with their ids', async () => {
    const res = await get('/alerts?status=open&_count=10', la);
    expect(res.status).toBe(200);
    expect(res.body.alerts.length).toBe(2);
    expect(res.body.alerts.every((a: any) => a.recipient === 'la:383' && a.status === 'open')).toBe(true);
    const raised = res.body.alerts.map((a: any) => a.raisedAt);
    expect([...raised].sort().reverse()).toEqual(raised);
    const entry = (await alertAudit()).at(-1)!;
    expect(entry).toMatchObject({ action: 'search', outcome: 'permit', status: 200 });
    expect(entry.records.sort()).toEqual(res.body.alerts.map((a: any) => a.id).sort());

    expect((await get('/alerts?status=closed', la)).body.alerts).toEqual([]);
    expect((await get('/alerts?_count=1', la)).body.alerts).toHaveLength(1);
    expect((await get('/alerts', otherLa)).body.alerts).toEqual([]);
  });

  it('refuses an unknown status (400) and a role that may not read alerts (403, audited as deny)', async () => {
    const bad = await get('/alerts?status=pending', la);
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].expression).toEqual(['status']);
    const denied = await get('/alerts', hospital);
    expect(denied.status).toBe(403);
    expect(codes(denied)).toContain('GW_ERR_FORBIDDEN_ROLE');
    expect((await alertAudit()).at(-1)).toMatchObject({ outcome: 'deny', status: 403 });
  });
});

describe('GET /alerts/{id}, acknowledge and close', () => {
  it('another agency’s alert is 404 to read or change, and the refusal is audited naming it', async () => {
    expect((await get(`/alerts/${alertId}`, otherLa)).status).toBe(404);
    expect((await alertAudit()).at(-1)).toMatchObject({ action: 'read', outcome: 'deny', status: 404, records: [alertId] });
    expect((await post(`/alerts/${alertId}/acknowledge`, otherLa)).status).toBe(404);
    expect((await post(`/alerts/${alertId}/close`, otherLa, { reason: 'not ours to close' })).status).toBe(404);
    expect((await get('/alerts/no-such-alert', la)).status).toBe(404);
    expect((await post(`/alerts/${alertId}/acknowledge`, hospital)).status).toBe(403);
  });

  it('acknowledge once (200), then 409; close needs a reason of 5 characters (422 naming reason)', async () => {
    const ack = await post(`/alerts/${alertId}/acknowledge`, la);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'user-1', acknowledgedAt: '2026-11-22T00:00:00.000Z' });
    expect((await alertAudit()).at(-1)).toMatchObject({ action: 'update', outcome: 'permit', status: 200, records: [alertId] });
    const again = await post(`/alerts/${alertId}/acknowledge`, la);
    expect(again.status).toBe(409);
    expect(codes(again)).toContain('GW_ERR_ALERT_STATE_CONFLICT');
    expect((await alertAudit()).at(-1)).toMatchObject({ outcome: 'error', status: 409, records: [alertId] });

    const noReason = await post(`/alerts/${alertId}/close`, la, {});
    expect(noReason.status).toBe(422);
    expect(noReason.body.issue[0].expression).toEqual(['reason']);
    const noBody = await post(`/alerts/${alertId}/close`, la);
    expect(noBody.status).toBe(422);
    const short = await post(`/alerts/${alertId}/close`, la, { reason: 'ok' });
    expect(short.status).toBe(422);
    expect(short.body.issue[0].diagnostics).toMatch(/at least 5 characters/);
    expect((await get(`/alerts/${alertId}`, la)).body.status).toBe('acknowledged');
  });

  it('close (200) records who, when and why; closing again or acknowledging a closed alert is 409', async () => {
    t.clock.advance(HOUR);
    const closed = await post(`/alerts/${alertId}/close`, la, { reason: 'Child returned home; strategy discussion held' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', closedBy: 'user-1', closedAt: '2026-11-22T01:00:00.000Z', closeReason: 'Child returned home; strategy discussion held' });
    expect((await post(`/alerts/${alertId}/close`, la, { reason: 'closing it twice' })).status).toBe(409);
    const ack = await post(`/alerts/${alertId}/acknowledge`, la);
    expect(ack.status).toBe(409);
    expect(ack.body.issue[0].diagnostics).toMatch(/closed/);
    expect((await get('/alerts?status=closed', la)).body.alerts.map((a: any) => a.id)).toEqual([alertId]);
  });

  it('an open alert can be closed without being acknowledged; every alert request left exactly one audit entry', async () => {
    await insertPerson(t.testDb.db, 'alert-api-child');
    const a = await insertAlert(t.testDb.db, {
      rule: 'missing-child-on-plan',
      ruleVersion: 1,
      title: 'A child on a protection plan reported missing',
      severity: 'high',
      recipient: 'la:383',
      personId: 'alert-api-child',
      householdId: null,
      reasons: [{ fact: 'notificationType', value: 'missing', source: 'PoliceNotification/n-api-1' }],
      dedupeKey: 'test|alert-api-child|PoliceNotification/n-api-1',
      raisedAt: t.clock.now.toISOString(),
    });
    const closed = await post(`/alerts/${a!.id}/close`, la, { reason: 'Found safe within the hour' });
    expect(closed.body).toMatchObject({ status: 'closed', acknowledgedAt: null });

    const entries = await alertAudit();
    const perRequest = new Map<string, number>();
    for (const e of entries) perRequest.set(e.requestId, (perRequest.get(e.requestId) ?? 0) + 1);
    expect([...perRequest.values()].every((n) => n === 1)).toBe(true);
    expect(entries.length).toBeGreaterThanOrEqual(20);
  });

  it('logs carry no alert reasons, only ids and codes', () => {
    const raisedLines = t.logLines.filter((l) => l.includes('alert-raised'));
    expect(raisedLines.length).toBeGreaterThan(0);
    expect(raisedLines.join('\n')).not.toMatch(/legal status|PP6000/);
  });
});
