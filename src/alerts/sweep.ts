import type { Logger } from 'pino';
import type { CaseEvent } from '../model/case-event.js';
import type { PoliceNotification } from '../model/police-notification.js';
import type { GatewayContext } from '../services/context.js';
import type { StoredRecord } from '../store/records-repo.js';
import type { Firing } from './evaluate.js';
import { evaluateRules } from './evaluate.js';
import type { PoliceProtectionFact, SubjectFacts } from './facts.js';
import type { RaisedAlert } from './raise.js';
import { notificationProtection, storeFirings } from './raise.js';

/** The SSDA903 legal status of police protection (Children Act 1989 s46). */
const POLICE_PROTECTION_LS = 'L1';

interface EpisodeRow {
  id: string;
  person_id: string;
  owner: string;
  record: StoredRecord;
  sealed: unknown;
}

/**
 * A child's L1 episodes as police protection periods: consecutive episodes (one ends the
 * day the next starts) are one period, named by its first episode and owned by its LA.
 */
export function l1Periods(episodes: readonly Pick<CaseEvent, 'id' | 'date' | 'endDate' | 'owner'>[]): PoliceProtectionFact[] {
  const sorted = [...episodes].sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  const periods: PoliceProtectionFact[] = [];
  for (const ep of sorted) {
    const last = periods.at(-1);
    if (last && last.end !== undefined && last.end === ep.date && last.owner === ep.owner) {
      last.end = ep.endDate;
      continue;
    }
    periods.push({ source: `CaseEvent/${ep.id}`, precision: 'day', start: ep.date, end: ep.endDate, owner: ep.owner });
  }
  return periods;
}

/** Which stored data a sweep looks at: the given children, or everyone (optionally only those whose police protection is still open). */
export interface SweepScope {
  personIds?: readonly string[] | undefined;
  /**
   * Only periods still open (an L1 episode without DEC, an s46 action without endedAt): a
   * closed period cannot become overdue later, and was evaluated when it was stored. The
   * periodic sweep uses this; the start-up sweep and the sweep after an ingest do not.
   */
  openOnly?: boolean | undefined;
}

// Literal 'L1' (not a parameter) so the partial index canonical_records_police_protection serves it.
const L1_EPISODE = `type = 'CaseEvent' AND record->>'kind' = 'cla-episode' AND record->'codes'->>'LS' = 'L1'`;
// Pseudonymised mode keeps only who and where in `record`: any sealed SSDA903 case event may be an L1 episode.
const SEALED_903 = `type = 'CaseEvent' AND sealed IS NOT NULL AND record->'provenance'->>'format' LIKE 'ssda903%'`;

async function episodeFacts(ctx: GatewayContext, scope: SweepScope): Promise<Map<string, PoliceProtectionFact[]>> {
  const rows = await ctx.db.query<EpisodeRow>(
    `SELECT id, person_id, owner, record, sealed FROM canonical_records
     WHERE ((${L1_EPISODE}) OR (${SEALED_903}))
       AND ($1::text[] IS NULL OR person_id = ANY($1::text[]))
       AND (NOT $2::boolean OR person_id IN (SELECT person_id FROM canonical_records WHERE (${L1_EPISODE} AND record->>'endDate' IS NULL) OR (${SEALED_903})))`,
    [scope.personIds ?? null, scope.openOnly ?? false],
  );
  const byPerson = new Map<string, CaseEvent[]>();
  for (const row of rows) {
    const sealer = ctx.index.records;
    const ev = (row.sealed !== null && row.sealed !== undefined ? (sealer ? sealer.open(row.record, row.sealed) : null) : row.record) as CaseEvent | null;
    if (!ev || ev.kind !== 'cla-episode' || ev.codes['LS'] !== POLICE_PROTECTION_LS) continue;
    byPerson.set(row.person_id, [...(byPerson.get(row.person_id) ?? []), ev]);
  }
  return new Map(
    [...byPerson].map(([person, eps]) => {
      const periods = l1Periods(eps);
      return [person, scope.openOnly ? periods.filter((p) => p.end === undefined) : periods];
    }),
  );
}

/** Stored notifications with a police protection action: each subject child with the LA it was routed to. */
async function notificationFacts(ctx: GatewayContext, scope: SweepScope): Promise<{ personId: string; recipient: string; periods: PoliceProtectionFact[] }[]> {
  const rows = await ctx.db.query<{ id: string; record: PoliceNotification; person_id: string; recipient: string }>(
    `SELECT pn.id, pn.record, np.person_id, r.recipient
     FROM police_notifications pn
     JOIN notification_people np ON np.notification_id = pn.id AND 'subject-child' = ANY(np.roles)
     JOIN notification_routes r ON r.notification_id = pn.id AND r.kind = 'local-authority' AND r.person_id = np.person_id
     WHERE pn.record->'actionsTaken' @> '[{"code":"police-protection-s46"}]'::jsonb
       AND ($1::text[] IS NULL OR np.person_id = ANY($1::text[]))
       AND (NOT $2::boolean OR jsonb_path_exists(pn.record, '$.actionsTaken[*] ? (@.code == "police-protection-s46" && !(exists(@.endedAt)))'))`,
    [scope.personIds ?? null, scope.openOnly ?? false],
  );
  return rows.map((r) => ({ personId: r.person_id, recipient: r.recipient, periods: notificationProtection({ ...r.record, actionsTaken: r.record.actionsTaken ?? [] }) }));
}

/**
 * Evaluates the time-driven rules (`on: sweep`) over stored data as of `now`: SSDA903 L1
 * episodes, and notifications whose police protection has not ended, that have by now
 * lasted too long. Idempotent: an alert already raised (same dedupe key) is not raised
 * again. `scope` limits it to some children (after an ingest), or to periods still open.
 */
export async function sweepAlerts(ctx: GatewayContext, now: Date, scope: SweepScope = {}): Promise<RaisedAlert[]> {
  const rules = ctx.alertRules.filter((r) => r.on.includes('sweep'));
  if (rules.length === 0) return [];
  const facts = (personId: string, policeProtection: PoliceProtectionFact[]): SubjectFacts => ({ personId, now, plans: [], notificationsAboutChild: [], policeProtection });
  const firings: { firing: Firing; recipient: string }[] = [];
  for (const [personId, periods] of await episodeFacts(ctx, scope)) {
    for (const firing of evaluateRules(rules, 'sweep', facts(personId, periods))) {
      if (firing.owner && ctx.agencies.has(firing.owner)) firings.push({ firing, recipient: firing.owner });
    }
  }
  for (const n of await notificationFacts(ctx, scope)) {
    for (const firing of evaluateRules(rules, 'sweep', facts(n.personId, n.periods))) firings.push({ firing, recipient: n.recipient });
  }
  return storeFirings(ctx, ctx.db, firings);
}

/**
 * Runs the sweep at start-up and every interval while the gateway runs (the timer does not
 * keep the process alive); runs never overlap, and close waits for the one in flight.
 */
export class AlertSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: GatewayContext,
    private readonly log: Logger,
  ) {}

  /** One sweep now, after any in flight; a failure is logged (without its message) and retried next time. */
  runLogged(scope: SweepScope = {}): Promise<void> {
    const run = this.running.then(async () => {
      try {
        const raised = await sweepAlerts(this.ctx, this.ctx.now(), scope);
        if (raised.length > 0) this.log.info({ event: 'alert-sweep', raised: raised.length }, 'alert sweep raised alerts');
      } catch (err) {
        const e = err as { name?: string; code?: string } | null;
        this.log.warn({ event: 'alert-sweep', errName: e?.name, errCode: e?.code }, 'alert sweep failed; will try again');
      }
    });
    this.running = run;
    return run;
  }

  /** Sweeps every `intervalSeconds`, looking only at periods still open (see SweepScope). */
  start(intervalSeconds: number): void {
    this.stopTimer();
    this.timer = setInterval(() => void this.runLogged({ openOnly: true }), intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in flight. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.running;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
