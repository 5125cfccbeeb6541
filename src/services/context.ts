import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit-writer.js';
import type { TreeHeadPublisher } from '../audit/head-publisher.js';
import type { Agency } from '../model/agency.js';
import type { Agreement } from '../policy/agreement.js';
import type { Db } from '../store/db.js';
import type { CpisIndex } from '../store/cpis-index.js';
import type { GroupCommitter } from './group-commit.js';
import type { MappingRegistry } from '../mapping/registry.js';
import type { Matcher } from '../matching/matcher.js';
import type { IndexMode } from './index-mode.js';
import type { SchoolCalendar } from '../policy/school-days.js';
import type { AlertRule } from '../alerts/rule-schema.js';

/** What every use case needs, passed in rather than imported so tests can supply their own clock. */
export interface GatewayContext {
  db: Db;
  /** The CP-IS hot path's in-memory index, kept coherent with the database by change notices. */
  cpisIndex: CpisIndex;
  audit: AuditSink;
  /** Group commit for small write transactions that come in bursts (CP-IS unscheduled reads). */
  groupCommit: GroupCommitter;
  /** Signs and publishes audit tree heads; null where the gateway signs none (sgw ingest, sgw validate). */
  treeHeads: TreeHeadPublisher | null;
  agencies: ReadonlyMap<string, Agency>;
  /** The data-sharing agreements in config/agreements/, checked at start-up. */
  agreements: readonly Agreement[];
  now: () => Date;
  publicBaseUrl: string;
  log: Logger;
  /** The declarative mappings, compiled once at start-up. */
  mappings: MappingRegistry;
  /** The person-matching model, loaded from configuration at start-up. */
  matcher: Matcher;
  /** How the person index stores and matches people: in clear, or pseudonymised. */
  index: IndexMode;
  /** School days, for Operation Encompass deadlines (config/school-calendar.yaml). */
  schoolCalendar: SchoolCalendar;
  /** The alert rules in config/alerts.yaml, checked at start-up. */
  alertRules: readonly AlertRule[];
}

/** The agency an id names; configuration guarantees every stored owner is configured. */
export function agencyOf(ctx: GatewayContext, id: string): Agency {
  const agency = ctx.agencies.get(id);
  if (!agency) throw new Error(`agency ${id} is not configured`);
  return agency;
}

/**
 * The same context, whose log lines carry the request id: for use cases that log while
 * handling a request (every such line must say which request it belongs to). Not for the
 * CP-IS query, which logs nothing of its own; its request line carries the id already.
 */
export function forRequest(ctx: GatewayContext, requestId: string): GatewayContext {
  return { ...ctx, log: ctx.log.child({ reqId: requestId }) };
}
