import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRule, evaluateRules } from '../../src/alerts/evaluate.js';
import type { SubjectFacts } from '../../src/alerts/facts.js';
import type { AlertRule } from '../../src/alerts/rule-schema.js';
import { loadAlertRules } from '../../src/config/alert-rules.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

const { rules } = loadAlertRules(path.join(PACKAGE_ROOT, 'config'));
const rule = (id: string): AlertRule => {
  const r = rules.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id} in config/alerts.yaml`);
  return r;
};

const NOW = new Date('2026-11-20T10:00:00Z');

function facts(over: Partial<SubjectFacts> = {}): SubjectFacts {
  return {
    personId: 'child-1',
    now: NOW,
    notification: { id: 'n-1', type: 'domestic-abuse', riskGrade: 'high', occurredAt: '2026-11-19T22:40:00Z' },
    householdId: 'hh-1',
    plans: [],
    notificationsAboutChild: [{ id: 'n-1', occurredAt: '2026-11-19T22:40:00Z' }],
    policeProtection: [],
    ...over,
  };
}

const cpp = (id: string, holder: 'subject-child' | 'household', start = '2026-05-01', end?: string) => ({ id, kind: 'child-protection-plan' as const, start, end, status: 'recorded' as const, holder });

describe('the shipped rules (config/alerts.yaml)', () => {
  it('load and are the four of issue 6', () => {
    expect(rules.map((r) => r.id)).toEqual(['domestic-abuse-high-household-plan', 'missing-child-on-plan', 'third-notification-in-90-days', 'police-protection-over-72-hours']);
  });
});

describe('domestic abuse graded high in a household with a child on a plan', () => {
  const r = rule('domestic-abuse-high-household-plan');

  it('fires for the subject child’s own plan, with the facts as reasons', () => {
    const [f, ...rest] = evaluateRule(r, 'notification', facts({ plans: [cpp('plan-1', 'subject-child')] }));
    expect(rest).toEqual([]);
    expect(f!.anchor).toBe('PoliceNotification/n-1');
    expect(f!.reasons).toEqual([
      { fact: 'notificationType', value: 'domestic-abuse', source: 'PoliceNotification/n-1' },
      { fact: 'riskGrade', value: 'high', source: 'PoliceNotification/n-1' },
      { fact: 'activeProtectionPlan', value: 'child-protection-plan since 2026-05-01', source: 'ProtectionPlan/plan-1' },
    ]);
  });

  it('fires for another child in the household, naming the household', () => {
    const [f] = evaluateRule(r, 'notification', facts({ plans: [cpp('plan-2', 'household')] }));
    expect(f!.householdId).toBe('hh-1');
    expect(f!.reasons).toContainEqual({ fact: 'householdChildActiveProtectionPlan', value: 'child-protection-plan since 2026-05-01', source: 'ProtectionPlan/plan-2' });
    expect(f!.reasons).toContainEqual(expect.objectContaining({ fact: 'sameHousehold', source: 'Household/hh-1' }));
  });

  it('does not fire for a medium grade, another type, an ended or future plan, or a looked-after plan', () => {
    const plan = [cpp('plan-1', 'subject-child')];
    expect(evaluateRule(r, 'notification', facts({ plans: plan, notification: { id: 'n-1', type: 'domestic-abuse', riskGrade: 'medium', occurredAt: '2026-11-19T22:40:00Z' } }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ plans: plan, notification: { id: 'n-1', type: 'child-concern', riskGrade: 'high', occurredAt: '2026-11-19T22:40:00Z' } }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ plans: [cpp('p', 'subject-child', '2026-01-01', '2026-11-01')] }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ plans: [cpp('p', 'subject-child', '2026-12-01')] }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ plans: [{ ...cpp('p', 'subject-child'), kind: 'looked-after' }] }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ plans: [{ ...cpp('p', 'subject-child'), status: 'entered-in-error' }] }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts())).toEqual([]);
  });
});

describe('a child on a plan reported missing', () => {
  const r = rule('missing-child-on-plan');
  const missing = { id: 'n-2', type: 'missing', occurredAt: '2026-11-19T22:40:00Z' };

  it('fires when the subject child has a plan in force', () => {
    const [f] = evaluateRule(r, 'notification', facts({ notification: missing, plans: [cpp('plan-1', 'subject-child')] }));
    expect(f!.reasons).toEqual([
      { fact: 'notificationType', value: 'missing', source: 'PoliceNotification/n-2' },
      { fact: 'activeProtectionPlan', value: 'child-protection-plan since 2026-05-01', source: 'ProtectionPlan/plan-1' },
    ]);
  });

  it('does not fire for a sibling’s plan, or for a child on no plan', () => {
    expect(evaluateRule(r, 'notification', facts({ notification: missing, plans: [cpp('plan-2', 'household')] }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ notification: missing }))).toEqual([]);
  });
});

describe('a third police notification about one child within 90 days', () => {
  const r = rule('third-notification-in-90-days');
  const about = (...days: string[]) => days.map((d, i) => ({ id: `n-${i}`, occurredAt: `${d}T12:00:00.000Z` }));

  it('fires on the third, listing the earlier two', () => {
    const [f] = evaluateRule(r, 'notification', facts({ notification: { id: 'n-2', type: 'child-concern', occurredAt: '2026-11-19T12:00:00.000Z' }, notificationsAboutChild: about('2026-08-22', '2026-10-01', '2026-11-19') }));
    expect(f!.reasons).toEqual([
      { fact: 'policeNotificationsWithinDays', value: '3 in the 90 days up to 2026-11-19', source: 'PoliceNotification/n-2' },
      { fact: 'earlierPoliceNotification', value: 'occurred 2026-08-22', source: 'PoliceNotification/n-0' },
      { fact: 'earlierPoliceNotification', value: 'occurred 2026-10-01', source: 'PoliceNotification/n-1' },
    ]);
  });

  it('does not fire on the second, nor when the first is more than 90 days before', () => {
    expect(evaluateRule(r, 'notification', facts({ notification: { id: 'n-1', type: 'child-concern', occurredAt: '2026-11-19T12:00:00.000Z' }, notificationsAboutChild: about('2026-10-01', '2026-11-19') }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ notification: { id: 'n-2', type: 'child-concern', occurredAt: '2026-11-19T12:00:00.000Z' }, notificationsAboutChild: about('2026-08-20', '2026-10-01', '2026-11-19') }))).toEqual([]);
  });
});

describe('police protection beyond 72 hours', () => {
  const r = rule('police-protection-over-72-hours');
  const noNotification = { notification: undefined };

  it('an SSDA903 L1 episode of 4 days fires; 3 days (72 hours) does not', () => {
    const [f] = evaluateRule(r, 'sweep', facts({ ...noNotification, policeProtection: [{ source: 'CaseEvent/e1', precision: 'day', start: '2026-11-01', end: '2026-11-05', owner: 'la:383' }] }));
    expect(f!.anchor).toBe('CaseEvent/e1');
    expect(f!.owner).toBe('la:383');
    expect(f!.reasons).toEqual([{ fact: 'policeProtectionOver72Hours', value: 'legal status L1 from 2026-11-01 to 2026-11-05: 4 whole days, counted as 96 hours', source: 'CaseEvent/e1' }]);
    expect(evaluateRule(r, 'sweep', facts({ ...noNotification, policeProtection: [{ source: 'CaseEvent/e1', precision: 'day', start: '2026-11-01', end: '2026-11-04' }] }))).toEqual([]);
  });

  it('an open L1 episode fires once today is 4 days after its start', () => {
    const open = [{ source: 'CaseEvent/e2', precision: 'day' as const, start: '2026-11-17' }];
    expect(evaluateRule(r, 'sweep', facts({ ...noNotification, policeProtection: open }))).toEqual([]);
    const [f] = evaluateRule(r, 'sweep', facts({ ...noNotification, now: new Date('2026-11-21T00:00:01Z'), policeProtection: open }));
    expect(f!.reasons[0]!.value).toBe('legal status L1 from 2026-11-17, still open on 2026-11-21: 4 whole days, counted as 96 hours');
  });

  it('a police-protection-s46 action fires over 72 hours, ended or still running, on notification or sweep', () => {
    const ended = [{ source: 'PoliceNotification/n-1', precision: 'instant' as const, start: '2026-11-10T09:00:00Z', end: '2026-11-13T09:30:00Z' }];
    const [f] = evaluateRule(r, 'notification', facts({ policeProtection: ended }));
    expect(f!.reasons).toEqual([{ fact: 'policeProtectionOver72Hours', value: 'police-protection-s46 from 2026-11-10T09:00:00Z to 2026-11-13T09:30:00Z: 72 hours', source: 'PoliceNotification/n-1' }]);
    const running = [{ source: 'PoliceNotification/n-1', precision: 'instant' as const, start: '2026-11-17T09:00:00Z' }];
    expect(evaluateRule(r, 'sweep', facts({ ...noNotification, policeProtection: running }))).toHaveLength(1);
    expect(evaluateRule(r, 'sweep', facts({ ...noNotification, now: new Date('2026-11-20T08:59:00Z'), policeProtection: running }))).toEqual([]);
    expect(evaluateRule(r, 'notification', facts({ policeProtection: [{ ...ended[0]!, end: '2026-11-13T09:00:00Z' }] }))).toEqual([]);
  });

  it('notification-only rules are not evaluated by the sweep', () => {
    const f = facts({ plans: [cpp('plan-1', 'subject-child')], notificationsAboutChild: [] });
    expect(evaluateRules(rules, 'sweep', f)).toEqual([]);
    expect(evaluateRules(rules, 'notification', f).map((x) => x.rule.id)).toEqual(['domestic-abuse-high-household-plan']);
  });
});
