import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type express from 'express';
import { createApp } from './api/app.js';
import type { AuditSink } from './audit/audit-writer.js';
import { AuditWriter } from './audit/audit-writer.js';
import { TreeHeadPublisher } from './audit/head-publisher.js';
import { checkHeadsFileWritable } from './audit/heads-file.js';
import { auditSigningKeyFor } from './audit/signing-key.js';
import { loadOrCreateDevKeys } from './auth/dev-keys.js';
import { RevocationList } from './auth/revocations.js';
import { TokenVerifier } from './auth/verify-token.js';
import type { AgencyDirectory } from './config/agencies.js';
import { loadAgencies } from './config/agencies.js';
import { loadAgreements } from './config/agreements.js';
import type { Config } from './config/env.js';
import { createLogger } from './log.js';
import { PACKAGE_ROOT } from './paths.js';
import type { GatewayContext } from './services/context.js';
import { syncAgencies } from './store/agencies-repo.js';
import type { Db } from './store/db.js';
import { openDatabase } from './store/open-db.js';
import { CpisIndex } from './store/cpis-index.js';
import { GroupCommitter } from './services/group-commit.js';
import { loadMappingRegistry } from './mapping/registry.js';
import { loadMatcher } from './matching/matcher.js';
import { loadSchoolCalendar } from './policy/school-days.js';
import { loadPseudonymMatcher } from './matching/pseudonym-matcher.js';
import { clearIndexMode, pseudonymisedIndexMode } from './services/index-mode.js';
import { indexUnkeyedSources } from './services/person-index.js';
import { ensureDemoRoutes } from './services/routing-demo.js';
import { loadAlertRules } from './config/alert-rules.js';
import { AlertSweeper } from './alerts/sweep.js';
import { WebhookDelivery } from './services/webhook-delivery.js';

export interface Gateway {
  app: express.Express;
  ctx: GatewayContext;
  directory: AgencyDirectory;
  /** The webhook worker, when this process runs one (agencies with webhooks, not disabled). */
  webhooks: WebhookDelivery | null;
  /** Stops the webhook worker, writes out pending audit entries and closes the database. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** An already-migrated database (tests); else the configured one is opened. */
  db?: Db;
  now?: () => Date;
  log?: Logger;
  /** Another sink for audit entries written outside data transactions (the benchmark's no-op one). */
  audit?: (db: Db) => AuditSink;
  /** False: sign no tree heads, and need no signing key (sgw ingest and sgw validate). Default true. */
  signTreeHeads?: boolean;
  /** False: run no webhook worker, whatever SGW_WEBHOOKS says (tests that deliver by hand, sgw ingest). Default true. */
  webhooks?: boolean;
}

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Assembles the gateway from configuration: agencies, database (migrated), keys, audit
 * writer and the HTTP app. Configuration is read and checked before the database opens.
 */
export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger(config.logLevel);
  const directory = loadAgencies(config.configDir);
  const now = options.now ?? (() => new Date());
  const sharing = loadAgreements(config.configDir, directory.agencies, now().toISOString().slice(0, 10));
  for (const warning of sharing.warnings) log.warn({ event: 'agreements' }, warning);
  const mappings = loadMappingRegistry();
  const matcher = loadMatcher(config.configDir);
  const schoolCalendar = loadSchoolCalendar(config.configDir);
  const alerting = loadAlertRules(config.configDir);
  for (const warning of alerting.warnings) log.warn({ event: 'alert-rules' }, warning);
  const index = config.keys ? pseudonymisedIndexMode(loadPseudonymMatcher(config.configDir, config.keys.linkageSecret), config.keys) : clearIndexMode(matcher);
  const devKeys = config.devAuth ? await loadOrCreateDevKeys(config.dataDir) : null;
  const revocations = new RevocationList();
  const verifier = await TokenVerifier.create(directory, config.tokenAudience, devKeys, revocations);
  const signingKey = options.signTreeHeads === false ? null : auditSigningKeyFor(config);
  if (signingKey) checkHeadsFileWritable(config.auditHeadsFile);
  const db = options.db ?? (await openDatabase(config));
  let cpisIndex: CpisIndex | undefined;
  try {
    cpisIndex = await CpisIndex.open(db, config.cpisIndexSize);
    await revocations.open(db);
    await syncAgencies(db, directory.agencies.values());
    await ensureDemoRoutes(db, config.configDir, log, now);
    await indexUnkeyedSources(db, index);
  } catch (err) {
    await cpisIndex?.close();
    await revocations.close();
    if (!options.db) await db.close();
    throw err;
  }
  const audit = options.audit ? options.audit(db) : new AuditWriter(db);
  const treeHeads = signingKey ? new TreeHeadPublisher(db, signingKey, config.auditHeadsFile, now, log) : null;
  // A head for whatever was written while the gateway was down (sgw ingest, an upgrade), then one per interval.
  await treeHeads?.publishLogged();
  treeHeads?.start(config.auditHeadIntervalSeconds);
  const groupCommit = new GroupCommitter(db, audit instanceof AuditWriter ? audit : undefined);
  const ctx: GatewayContext = { db, cpisIndex, audit, groupCommit, treeHeads, agencies: directory.agencies, agreements: sharing.agreements, now, publicBaseUrl: config.publicBaseUrl, log, mappings, matcher, index, schoolCalendar, alertRules: alerting.rules };
  // Time-driven alert rules: once for whatever became due while the gateway was down, then every interval.
  const sweeper = new AlertSweeper(ctx, log);
  await sweeper.runLogged();
  sweeper.start(config.alertSweepSeconds);
  const app = createApp({ ctx, verifier, maxBodyBytes: config.maxBodyBytes, version: packageVersion(), rateLimits: config.rateLimits, trustProxyHops: config.trustProxyHops });
  // Webhooks queued before a crash or restart go out as soon as the worker starts.
  const runWebhooks = options.webhooks !== false && config.webhooks.enabled && directory.webhooks.size > 0;
  const webhooks = runWebhooks ? new WebhookDelivery({ db, targets: directory.webhooks, settings: config.webhooks, now, log }) : null;
  webhooks?.start();
  return {
    app,
    ctx,
    directory,
    webhooks,
    async close() {
      await sweeper.stop();
      await webhooks?.stop();
      await groupCommit.flush();
      await audit.flush();
      await treeHeads?.stop();
      await cpisIndex.close();
      await revocations.close();
      if (!options.db) await db.close();
    },
  };
}
