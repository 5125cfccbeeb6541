import { Command, InvalidArgumentError } from 'commander';
import { loadOrCreateDevKeys } from '../auth/dev-keys.js';
import { mintDevToken } from '../auth/mint-token.js';
import { loadAgencies } from '../config/agencies.js';
import { ConfigError, loadConfig } from '../config/env.js';
import { packageVersion } from '../gateway.js';
import { openDatabase } from '../store/open-db.js';
import type { AuditVerifyOptions } from './audit.js';
import { runAuditExport, runAuditVerify } from './audit.js';
import { addConformanceCheck } from './conformance-check.js';
import { serve } from './serve.js';
import type { TokenRevokeOptions } from './token-revoke.js';
import { runTokenRevoke } from './token-revoke.js';
import { addConformanceRun } from './conformance-run.js';
import { LinkInputError, runLink, runTrain } from './link.js';
import { runPseudonymise, type PseudonymiseOptions } from './pseudonymise.js';
import type { IngestFilesOptions } from './ingest-files.js';
import { ingestFiles, summaryTable } from './ingest-files.js';
import type { RoutingLoadCliOptions } from './routing.js';
import { runRoutingLoad, runRoutingLookup } from './routing.js';

function probabilityArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a probability between 0 and 1');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number of seconds');
  return n;
}

/** The `sgw` command. Output for people goes to the console; the gateway itself logs JSON. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('sgw').description('Safeguarding Gateway').version(packageVersion()).enablePositionalOptions();

  program
    .command('serve')
    .description('run the gateway (embedded PGlite under ./data unless DATABASE_URL is set)')
    .action(async () => serve(loadConfig()));

  const token = program
    .command('token')
    .description('print a development token signed with the local key in the data directory; `sgw token revoke` revokes tokens')
    // Options after `revoke` are the subcommand's own (sgw token revoke --agency …).
    .enablePositionalOptions()
    .option('--agency <id>', 'agency id, e.g. ods:RR8, la:383 (required)')
    .option('--role <role>', 'e.g. unscheduled-care, scheduled-care, la-social-worker (required)')
    .option('--purpose <code>', 'purpose of use, e.g. TREAT, safeguarding-s47')
    .option('--sub <user>', 'user id (sub claim)', 'dev-user-1')
    .option('--expires-in <seconds>', 'lifetime in seconds', positiveInt, 3600)
    .action(async (opts: { agency?: string; role?: string; purpose?: string; sub: string; expiresIn: number }) => {
      // Not commander's requiredOption: a parent's required options would be demanded of `sgw token revoke` too.
      if (!opts.agency) return token.error("error: required option '--agency <id>' not specified");
      if (!opts.role) return token.error("error: required option '--role <role>' not specified");
      const config = loadConfig();
      if (!config.devAuth) throw new ConfigError('SGW_DEV_AUTH=off: the gateway does not trust development tokens, so none is minted');
      const minted = await mintDevToken(await loadOrCreateDevKeys(config.dataDir), loadAgencies(config.configDir), {
        agency: opts.agency,
        role: opts.role,
        purpose: opts.purpose,
        sub: opts.sub,
        audience: config.tokenAudience,
        expiresInSeconds: opts.expiresIn,
      });
      console.log(minted);
    });
  token
    .command('revoke')
    .description('revoke a token by its id (--jti), or every token of a user issued up to a time (--sub, --before); every gateway on the database refuses them at once')
    .requiredOption('--agency <id>', 'the agency whose token or user it is, e.g. ods:RR8')
    .option('--jti <id>', 'the token id (jti claim) of one token')
    .option('--sub <user>', 'a user (sub claim): all of its tokens issued at or before --before')
    .option('--before <time>', 'with --sub: ISO 8601 date-time with a time zone (default now)')
    .option('--reason <text>', 'why (kept with the revocation)')
    .action(async (opts: TokenRevokeOptions) => {
      console.log(await runTokenRevoke(loadConfig(), opts));
    });

  const audit = program.command('audit').description('audit trail tools');
  const collect = (value: string, previous: string[]) => [...previous, value];
  audit
    .command('verify')
    .description('recompute the audit hash chain and Merkle tree, check every stored node and each signed tree head; exits 1 naming the first problem')
    .option('--head <file>', 'a trusted signed tree head, or a heads file (.jsonl): every head in it is checked (repeatable)', collect, [])
    .option('--public-key <file>', 'a public key heads may be signed with: PEM, JWK or JWK Set (repeatable; default: this deployment\'s own signing key)', collect, [])
    .option('--file <export.jsonl>', 'verify an export (sgw audit export) offline instead of the live database')
    .action(async (opts: AuditVerifyOptions) => {
      process.exitCode = await runAuditVerify(loadConfig(), opts);
    });
  audit
    .command('export')
    .description('write the audit log rows as JSON lines, for offline verification (sgw audit verify --file)')
    .requiredOption('--out <file>', 'where to write the rows')
    .action(async (opts: { out: string }) => runAuditExport(loadConfig(), opts.out));

  for (const store of [true, false]) {
    program
      .command(store ? 'ingest' : 'validate')
      .description(
        store
          ? 'ingest message files (FHIR, HL7 v2, CIN census, SSDA903, CP-IS upload) into the configured database, as --agency'
          : 'check message files with the same rules as ingest; stores nothing (uses a throw-away in-memory database)',
      )
      .argument('<files...>', 'message files; an HL7 v2 file may hold many messages')
      .option('--format <format>', 'fhir-r4-json, fhir-r4-xml, hl7v2, cin-census-xml, ssda903-csv, ssda903-xml or cpis-csv (default: detected)')
      .option(store ? '--agency <id>' : '--agency <id>', store ? 'the sending agency, e.g. la:383 or ods:RR8 (required)' : 'the agency to check as (default la:383)')
      .option('--role <role>', 'role to act in (default: la-social-worker for an LA, unscheduled-care for health)')
      .option('--purpose <purpose>', 'purpose of use (default: statutory-return for an LA, direct-care for health)')
      .option('--partial', 'CIN census: leave out children that break a rule and take the rest')
      .option('--json', 'print the results as JSON')
      .action(async (files: string[], opts: IngestFilesOptions) => {
        if (store && !opts.agency) throw new ConfigError('sgw ingest needs --agency: the agency sending the files (e.g. la:383, ods:RR8)');
        const results = await ingestFiles(loadConfig(), files, opts, store);
        console.log(opts.json ? JSON.stringify(results, null, 2) : summaryTable(results, store));
        if (results.some((r) => !r.ok)) process.exitCode = 1;
      });
  }

  // The conformance kit (docs/conformance.md): suppliers check message files offline, and run packs against a gateway.
  const conformance = program.command('conformance').description('conformance kit: check message files offline; run packs against a gateway');
  addConformanceCheck(conformance);
  addConformanceRun(conformance);

  // Batch linkage and matcher training (src/cli/link.ts); bad input exits 1 naming the file and field.
  const linkFailed = (err: unknown) => {
    if (!(err instanceof LinkInputError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
  };
  program
    .command('link')
    .description('link two data sets (or deduplicate one) with the match model; writes scored pairs as CSV')
    .requiredOption('--left <file>', 'CSV or Parquet data set')
    .option('--right <file>', 'second data set (omit to deduplicate --left)')
    .requiredOption('--columns <map.yaml>', 'which column holds each field (see config/matching/columns/)')
    .requiredOption('--out <pairs.csv>', 'where to write left_id,right_id,match_weight,match_probability')
    .option('--model <model.json>', 'match model (default: train one on the input)')
    .option('--truth <column>', 'column holding the true entity: print precision, recall, F1, pair completeness, over-merged clusters')
    .option('--truth-pattern <regex>', "the entity is this regular expression's first group within the truth column (FEBRL: 'rec-(\\d+)')")
    .option('--threshold <p>', "write and evaluate pairs at or above this probability (default: the model's possible threshold)", probabilityArg)
    .action((opts: { left: string; right?: string; columns: string; out: string; model?: string; truth?: string; truthPattern?: string; threshold?: number }) => runLink(opts).then(() => undefined, linkFailed));

  program
    .command('match')
    .description('person matching tools')
    .command('train')
    .description('train a match model on a data set (u by random pairs, m by EM, λ, term frequencies) and write it as JSON')
    .requiredOption('--left <file>', 'CSV or Parquet data set')
    .option('--right <file>', 'second data set (omit to train on deduplicating --left)')
    .requiredOption('--columns <map.yaml>', 'which column holds each field')
    .requiredOption('--out <model.json>', 'where to write the model')
    .option('--truth <column>', 'true entity column: choose thresholds on the tuning split and print test-split figures')
    .option('--truth-pattern <regex>', "the entity is this regular expression's first group within the truth column (FEBRL: 'rec-(\\d+)')")
    .option('--target-precision <p>', 'precision the match threshold keeps on the tuning split (default 0.999)', probabilityArg)
    .option('--random-pairs <n>', 'random pairs for u (default 1000000)', positiveInt)
    .option('--seed <n>', 'random seed (default 42)', positiveInt)
    .option('--fill-from <model.json>', 'copy comparisons this data set cannot train (a field it lacks) from this model')
    .option('--pseudonymised', 'train the pseudonymised model: encode with SGW_LINKAGE_KEY, then train on the encodings only')
    .option('--dev-key', 'with --pseudonymised: encode with the development linkage key (synthetic data only)')
    .action((opts: { left: string; right?: string; columns: string; out: string; truth?: string; truthPattern?: string; targetPrecision?: number; randomPairs?: number; seed?: number; fillFrom?: string; pseudonymised?: boolean; devKey?: boolean }) =>
      runTrain(opts).then(() => undefined, linkFailed),
    );

  // Agency-side encoding for pseudonymised matching (src/cli/pseudonymise.ts): no clear text leaves the agency.
  program
    .command('pseudonymise')
    .description('encode a data set for pseudonymised matching (HMAC pseudonyms, hardened Bloom filters) with the linkage key in SGW_LINKAGE_KEY')
    .requiredOption('--in <file>', 'CSV or Parquet data set')
    .requiredOption('--columns <map.yaml>', 'which column holds each field (the map sgw link reads)')
    .requiredOption('--out <encoded.jsonl>', 'where to write one encoded record per line')
    .option('--identifier-system <uri>', 'system of the map\'s identifier column (default: NHS number)')
    .option('--hardening <h>', 'xor-fold+balance (default), balance, xor-fold or none')
    .option('--length <bits>', 'bits per field filter, a multiple of 64 (default 1024)')
    .option('--id-map <file.csv>', 'replace record ids with random ones and keep local id → random id in this file')
    .option('--dev-key', 'use the development linkage key (synthetic data only)')
    .action((opts: PseudonymiseOptions) => runPseudonymise(opts).then(() => undefined, linkFailed));

  // Postcode → local authority routing for police notifications (src/cli/routing.ts, docs/routing.md).
  const routing = program.command('routing').description('postcode → local authority routing table');
  routing
    .command('load')
    .description('load a routing file (ONS Postcode Directory CSV, or postcode,la) in one transaction; a bad file changes nothing and exits 1')
    .argument('<file>', 'CSV file; its header row says which form it is')
    .option('--replace', 'drop every earlier routing row first, so the file becomes the whole table')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: RoutingLoadCliOptions) => {
      process.exitCode = await runRoutingLoad(loadConfig(), file, opts);
    });
  routing
    .command('lookup')
    .description('show the local authority a postcode routes to, and the file its row came from')
    .argument('<postcode>', 'e.g. "LS1 4AP"')
    .action(async (postcode: string) => {
      process.exitCode = await runRoutingLookup(loadConfig(), postcode);
    });

  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const db = await openDatabase(loadConfig());
      await db.close();
      console.log('database schema is up to date');
    });

  await program.parseAsync(argv);
}
