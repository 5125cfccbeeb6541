import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadDevKeysIfPresent } from '../auth/dev-keys.js';
import { loadAgencies } from '../config/agencies.js';
import { ConfigError, loadConfig } from '../config/env.js';
import type { ReportTargets } from '../conformance/reports/index.js';
import { consoleSummary, writeReports } from '../conformance/reports/index.js';
import { runFailed } from '../conformance/result.js';
import { runPacks } from '../conformance/runner.js';
import type { TokenSource } from '../conformance/tokens.js';
import { commandTokenSource, devKeyTokenSource, fileTokenSource } from '../conformance/tokens.js';
import { packageVersion } from '../gateway.js';
import { PACKAGE_ROOT } from '../paths.js';

export interface ConformanceRunOptions {
  target: string;
  pack: string[];
  packsDir: string;
  input: string[];
  tokenCommand?: string;
  tokens?: string;
  report?: string;
  json?: string;
  html?: string;
  testreport?: string;
  coverage?: string;
  outDir?: string;
  runId?: string;
  verbose?: boolean;
}

/** The file names `--out-dir` writes. */
export const OUT_DIR_FILES: Required<ReportTargets> = {
  json: 'conformance.json',
  junit: 'junit.xml',
  html: 'report.html',
  testreport: 'testreport.json',
  coverage: 'coverage.csv',
};

function parseInputs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--input ${pair}: expected name=value, e.g. --input la=la:383`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * Where tokens come from: a command of the integrator's, a file of tokens, or else this
 * machine's development key (the one `sgw token` uses, in SGW_DATA_DIR), which is what a
 * run against the README's gateway on the same machine needs.
 */
async function tokenSource(opts: ConformanceRunOptions): Promise<{ source: TokenSource; from: string }> {
  if (opts.tokenCommand && opts.tokens) throw new ConfigError('give --token-command or --tokens, not both');
  if (opts.tokenCommand) return { source: commandTokenSource(opts.tokenCommand), from: `--token-command` };
  if (opts.tokens) return { source: fileTokenSource(opts.tokens), from: `--tokens ${opts.tokens}` };
  const config = loadConfig();
  const keys = await loadDevKeysIfPresent(config.dataDir);
  if (!keys) {
    throw new ConfigError(
      `no development key in ${config.dataDir}/keys (start the gateway once with npm start, or set SGW_DATA_DIR to its data folder); for a deployed gateway give --token-command CMD or --tokens FILE`,
    );
  }
  return { source: devKeyTokenSource(keys, loadAgencies(config.configDir), config.tokenAudience), from: `the development key in ${config.dataDir}/keys` };
}

function reportTargets(opts: ConformanceRunOptions): ReportTargets {
  const targets: ReportTargets = {};
  if (opts.outDir) for (const [k, f] of Object.entries(OUT_DIR_FILES)) targets[k as keyof ReportTargets] = join(opts.outDir, f);
  if (opts.json) targets.json = opts.json;
  if (opts.report) targets.junit = opts.report;
  if (opts.html) targets.html = opts.html;
  if (opts.testreport) targets.testreport = opts.testreport;
  if (opts.coverage) targets.coverage = opts.coverage;
  return targets;
}

/** `sgw conformance run`: runs packs against a target, prints the summary, writes the reports asked for; exit 1 when anything fails or errors. */
export async function runConformance(opts: ConformanceRunOptions): Promise<number> {
  let target: URL;
  try {
    target = new URL(opts.target);
  } catch {
    throw new ConfigError(`--target ${opts.target}: expected the gateway's base URL, e.g. http://localhost:8080`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new ConfigError(`--target ${opts.target}: expected an http or https URL`);
  const { source, from } = await tokenSource(opts);
  console.error(`conformance: running against ${target.origin}${target.pathname.replace(/\/$/, '')}, tokens from ${from}`);
  const run = await runPacks({
    target: opts.target,
    packsDir: opts.packsDir,
    packs: opts.pack.length > 0 ? opts.pack : undefined,
    inputs: parseInputs(opts.input),
    tokens: source,
    runId: opts.runId,
    tool: { name: 'sgw conformance', version: packageVersion() },
    onTest: (pack, t) => console.error(`  ${t.outcome.toUpperCase().padEnd(5)} ${pack}/${t.id}`),
  });
  console.log(consoleSummary(run, { verbose: opts.verbose ?? false }));
  const written = await writeReports(run, reportTargets(opts));
  for (const file of written) console.log(`wrote ${file}`);
  return runFailed(run) ? 1 : 0;
}

const runIdArg = (v: string) => {
  if (!/^\d{1,12}$/.test(v)) throw new InvalidArgumentError('expected up to 12 digits');
  return v;
};

/** Registers `sgw conformance run` on the conformance command group. */
export function addConformanceRun(conformance: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  conformance
    .command('run')
    .description('run conformance packs against a gateway and report pass, fail, skip, omit or error per test; exit 1 if any test fails or errors')
    .requiredOption('--target <url>', "the gateway's base URL, e.g. http://localhost:8080")
    .option('--pack <id>', 'run only this pack (repeatable; default: every pack)', collect, [])
    .option('--packs-dir <dir>', 'where the packs are', join(PACKAGE_ROOT, 'conformance'))
    .option('--input <name=value>', "override a pack input, e.g. --input la=la:383 (repeatable)", collect, [])
    .option('--token-command <cmd>', 'a shell command that prints a token; told what is wanted in SGW_TOKEN_AGENCY, SGW_TOKEN_ROLE, SGW_TOKEN_PURPOSE, SGW_TOKEN_USER, SGW_TOKEN_VARIANT; exit 3 if it cannot')
    .option('--tokens <file>', 'a YAML or JSON file of tokens: tokens: [{ agency, role, purpose, variant, token }]')
    .option('--report <junit.xml>', 'write a JUnit XML report')
    .option('--json <out.json>', 'write the full results as JSON')
    .option('--html <report.html>', 'write a self-contained HTML report')
    .option('--testreport <out.json>', 'write a FHIR Bundle of TestReports, one per pack')
    .option('--coverage <out.csv>', 'write the requirements coverage as CSV')
    .option('--out-dir <dir>', `write every report into this folder (${Object.values(OUT_DIR_FILES).join(', ')})`)
    .option('--run-id <digits>', 'the run id used in references (default: from the clock)', runIdArg)
    .option('--verbose', 'list passing steps and checks too')
    .action(async (opts: ConformanceRunOptions) => {
      process.exitCode = await runConformance(opts);
    });
}
