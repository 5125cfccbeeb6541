/**
 * `sgw link` and `sgw match train`: batch linkage and model training over data-set files
 * (CSV or Parquet), with a YAML map from MatchRecord fields to the file's columns. Reading,
 * writing and console output live here; the linkage itself is src/matching/linkage.ts.
 * Nothing personal is printed: counts, figures and file names only.
 */
import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { parse as parseCsv } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { csvCell } from '../formats/csv.js';
import { IDENTIFIER_COMPARISON, COMPARISONS } from '../matching/comparisons.js';
import {
  bestF1,
  candidatePairs,
  chooseThresholds,
  evaluate,
  prepareAll,
  scorePairs,
  termFrequencies,
  trainModel,
  withThresholds,
  type Evaluation,
  type ScoredPairs,
  type Truth,
} from '../matching/linkage.js';
import { MatchModelSchema, type MatchModel } from '../matching/model.js';
import { matchRecordFromRow, type RowColumns } from '../matching/normalise.js';
import { ConfigError } from '../config/env.js';
import { devKeySet, loadLinkageSecret } from '../crypto/keys.js';
import { DEFAULT_ENCODING, createPseudonymiser } from '../matching/pseudonym.js';
import { pseudonymModelFile } from '../matching/pseudonym-matcher.js';
import { trainPseudonymModel } from '../matching/pseudonym-train.js';
import type { MatchRecord } from '../matching/types.js';

/** A problem with the user's input (file, column map, option): printed as is, exit code 1. */
export class LinkInputError extends Error {}

const column = z.string().min(1);
/** The column map file: which column holds each MatchRecord field. Only `id` is required. */
export const ColumnMapSchema = z
  .object({
    id: column,
    givenName: column.optional(),
    surname: column.optional(),
    birthDate: column.optional(),
    birthDateFormat: z.enum(['YYYY-MM-DD', 'YYYYMMDD']).optional(),
    sex: column.optional(),
    postcode: column.optional(),
    address: z.union([column, z.array(column).min(1)]).optional(),
    identifier: column.optional(),
  })
  .strict();
export type ColumnMap = z.infer<typeof ColumnMapSchema>;

/** Reads and checks a column map YAML file; errors name the file and the field. */
export function loadColumnMap(file: string): ColumnMap {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new LinkInputError(`${file}: cannot read the column map: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new LinkInputError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const parsed = ColumnMapSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const where = i.path.join('.') || '(root)';
    const what = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}; the fields are ${Object.keys(ColumnMapSchema.shape).join(', ')}` : i.message;
    throw new LinkInputError(`${file}: ${where}: ${what}`);
  }
  return parsed.data;
}

function rowColumns(map: ColumnMap): RowColumns {
  return {
    id: map.id,
    ...(map.givenName ? { given: map.givenName } : {}),
    ...(map.surname ? { family: map.surname } : {}),
    ...(map.birthDate ? { birthDate: map.birthDate } : {}),
    ...(map.birthDateFormat ? { birthDateFormat: map.birthDateFormat } : {}),
    ...(map.sex ? { sex: map.sex } : {}),
    ...(map.postcode ? { postcode: map.postcode } : {}),
    ...(map.address ? { address: typeof map.address === 'string' ? [map.address] : map.address } : {}),
    ...(map.identifier ? { identifier: map.identifier } : {}),
  };
}

/** The columns a map names (and the truth column), each once. */
function namedColumns(map: ColumnMap, truthColumn?: string): string[] {
  const cols = [map.id, map.givenName, map.surname, map.birthDate, map.sex, map.postcode, map.identifier, ...(typeof map.address === 'string' ? [map.address] : (map.address ?? [])), truthColumn];
  return [...new Set(cols.filter((c): c is string => c !== undefined))];
}

export interface Dataset {
  file: string;
  records: MatchRecord[];
  /** The truth column's value per record, when one was asked for. */
  truth?: string[];
}

function cellString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return JSON.stringify(v);
}

async function readRows(file: string): Promise<{ header: string[]; rows: Record<string, string>[] }> {
  if (!fs.existsSync(file)) throw new LinkInputError(`${file}: no such file`);
  if (file.toLowerCase().endsWith('.parquet')) {
    let objects: Record<string, unknown>[];
    try {
      objects = await parquetReadObjects({ file: await asyncBufferFromFile(file) });
    } catch (err) {
      throw new LinkInputError(`${file}: cannot read as Parquet: ${(err as Error).message}`, { cause: err });
    }
    const header = objects.length > 0 ? Object.keys(objects[0]!) : [];
    const rows = objects.map((o) => {
      const r: Record<string, string> = {};
      for (const k of header) r[k] = cellString(o[k]);
      return r;
    });
    return { header, rows };
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new LinkInputError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  try {
    let header: string[] = [];
    const rows = parseCsv<Record<string, string>>(bytes, {
      columns: (h: string[]) => (header = h.map((x) => x.trim())),
      trim: true,
      skip_empty_lines: true,
      bom: true,
    });
    return { header, rows };
  } catch (err) {
    throw new LinkInputError(`${file}: not a readable CSV: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads a CSV or Parquet (by extension) data set into MatchRecords with the column map.
 * A column the map (or the truth option) names but the file lacks is an error naming the
 * file, the field and the columns the file has; so are blank or repeated ids.
 */
export async function readDataset(file: string, map: ColumnMap, truthColumn?: string, truthPattern?: RegExp): Promise<Dataset> {
  const { header, rows } = await readRows(file);
  const columns = rowColumns(map);
  const fieldOf = new Map<string, string>();
  for (const [field, col] of Object.entries(map)) for (const c of typeof col === 'string' ? [col] : Array.isArray(col) ? col : []) if (field !== 'birthDateFormat') fieldOf.set(c, field);
  const missing = namedColumns(map, truthColumn).filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const what = missing.map((c) => (c === truthColumn && !fieldOf.has(c) ? `--truth column '${c}'` : `${fieldOf.get(c)}: column '${c}'`));
    throw new LinkInputError(`${file}: ${what.join('; ')} not found; the file's columns are ${header.join(', ') || '(none)'}`);
  }
  const records: MatchRecord[] = [];
  const seen = new Set<string>();
  rows.forEach((row, n) => {
    const r = matchRecordFromRow(row, columns);
    if (r.id === '') throw new LinkInputError(`${file}: row ${n + 1}: id column '${map.id}' is blank`);
    if (seen.has(r.id)) throw new LinkInputError(`${file}: row ${n + 1}: id '${r.id}' is repeated; ids must be unique within a file`);
    seen.add(r.id);
    records.push(r);
  });
  const entity = (v: string) => {
    if (!truthPattern) return v;
    const m = truthPattern.exec(v);
    return m ? (m[1] ?? m[0]) : '';
  };
  return { file, records, ...(truthColumn ? { truth: rows.map((row) => entity((row[truthColumn] ?? '').trim())) } : {}) };
}

/** The --truth-pattern option: a regular expression whose first group (else whole match) is the true entity within the truth column. */
export function truthPatternOf(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new LinkInputError(`--truth-pattern ${pattern}: not a regular expression: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads and checks a model file; errors name the file and the field. */
export function loadModel(file: string): MatchModel {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LinkInputError(`${file}: cannot read the match model: ${(err as Error).message}`, { cause: err });
  }
  const parsed = MatchModelSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new LinkInputError(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

// csvCell moved to src/formats/csv.ts (the conformance coverage CSV uses it too); re-exported for existing callers.
export { csvCell } from '../formats/csv.js';

function progressBar(label: string, total: number): { tick: (n: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ format: ` ${label} {bar} {value}/{total}`, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { tick: (n) => bar.update(n), stop: () => bar.stop() };
}

/** Comparisons for a data set: the gateway's six, plus 'identifier' when the column map names one. */
export function comparisonsFor(map: ColumnMap): string[] {
  return [...COMPARISONS.map((c) => c.name), ...(map.identifier ? [IDENTIFIER_COMPARISON.name] : [])];
}

function truthOf(left: Dataset, right: Dataset | undefined): Truth | undefined {
  if (!left.truth) return undefined;
  return { left: left.truth, right: right?.truth };
}

const f4 = (x: number) => x.toFixed(4);

/** The report lines printed by --truth: one table row per threshold. */
export function evaluationLines(rows: { label: string; e: Evaluation }[]): string[] {
  return [
    '| threshold | precision | recall | F1 | TP | FP | FN | pair completeness | clusters | over-merged clusters |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(({ label, e }) => `| ${label} | ${f4(e.precision)} | ${f4(e.recall)} | ${f4(e.f1)} | ${e.tp} | ${e.fp} | ${e.fn} | ${f4(e.pairCompleteness)} | ${e.clusters} | ${e.overMergedClusters} |`),
  ];
}

export interface LinkOptions {
  left: string;
  /** With truth: a regular expression picking the entity out of the truth column (FEBRL: 'rec-(\\d+)'). */
  truthPattern?: string;
  right?: string;
  columns: string;
  out: string;
  model?: string;
  truth?: string;
  threshold?: number;
}

export interface LinkOutcome {
  pairsWritten: number;
  candidatePairs: number;
  evaluation?: Evaluation;
  bestF1?: { threshold: number; f1: number };
}

/**
 * `sgw link`: blocks, compares and scores; writes every candidate pair at or above the
 * threshold (default: the model's `possible` threshold) as `left_id,right_id,match_weight,
 * match_probability`. With no --model, trains one on the input first (unsupervised). With
 * --truth, prints precision, recall, F1, pair completeness and over-merged clusters at the
 * threshold.
 */
export async function runLink(opts: LinkOptions, print: (line: string) => void = console.log): Promise<LinkOutcome> {
  if (opts.threshold !== undefined && !(opts.threshold >= 0 && opts.threshold <= 1)) throw new LinkInputError(`--threshold ${opts.threshold}: expected a probability between 0 and 1`);
  const map = loadColumnMap(opts.columns);
  const modelFromFile = opts.model ? loadModel(opts.model) : undefined;
  const pattern = truthPatternOf(opts.truthPattern);
  const left = await readDataset(opts.left, map, opts.truth, pattern);
  const right = opts.right ? await readDataset(opts.right, map, opts.truth, pattern) : undefined;
  const model =
    modelFromFile ??
    (() => {
      print('no --model: training one on the input (unsupervised)');
      return trainModel(left.records, right?.records, { comparisons: comparisonsFor(map) }).model;
    })();
  const threshold = opts.threshold ?? model.thresholds.possible;
  const pairs = candidatePairs(left.records, right?.records);
  const L = prepareAll(left.records);
  const R = right ? prepareAll(right.records) : L;
  const bar = progressBar('scoring', pairs.count);
  const scored = scorePairs(model, L, R, pairs, { frequencies: termFrequencies([...left.records, ...(right?.records ?? [])]), onProgress: bar.tick });
  bar.stop();
  const pairsWritten = writePairs(opts.out, scored, left.records, (right ?? left).records, threshold);
  print(`${pairs.count.toLocaleString('en-GB')} candidate pairs scored; ${pairsWritten.toLocaleString('en-GB')} at p ≥ ${threshold} written to ${opts.out}`);
  const truth = truthOf(left, right);
  if (!truth) return { pairsWritten, candidatePairs: pairs.count };
  const e = evaluate(scored, truth, threshold);
  const best = bestF1(scored, truth);
  for (const line of evaluationLines([{ label: `p ≥ ${threshold}`, e }])) print(line);
  print(`best F1 over all thresholds: ${f4(best.f1)} at p ≥ ${best.threshold.toPrecision(6)} (chosen with the truth visible)`);
  return { pairsWritten, candidatePairs: pairs.count, evaluation: e, bestF1: best };
}

function writePairs(file: string, scored: ScoredPairs, left: readonly MatchRecord[], right: readonly MatchRecord[], threshold: number): number {
  const lines = ['left_id,right_id,match_weight,match_probability'];
  for (let k = 0; k < scored.count; k++) {
    if (scored.probability[k]! < threshold) continue;
    lines.push(`${csvCell(left[scored.left[k]!]!.id)},${csvCell(right[scored.right[k]!]!.id)},${scored.weight[k]!.toFixed(4)},${scored.probability[k]!.toPrecision(8)}`);
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  } catch (err) {
    throw new LinkInputError(`${file}: cannot write the pairs: ${(err as Error).message}`, { cause: err });
  }
  return lines.length - 1;
}

export interface TrainCliOptions {
  left: string;
  /** With truth: a regular expression picking the entity out of the truth column (FEBRL: 'rec-(\\d+)'). */
  truthPattern?: string;
  right?: string;
  columns: string;
  out: string;
  truth?: string;
  /** Precision the match threshold must keep on the tuning split (with --truth). Default 0.999. */
  targetPrecision?: number;
  randomPairs?: number;
  seed?: number;
  /** A model to copy untrainable comparisons from (e.g. address, which historical_50k lacks). */
  fillFrom?: string;
  /**
   * Train the pseudonymised model (config/matching/model-pseudonymised.json): the records are
   * encoded first (linkage key from SGW_LINKAGE_KEY / SGW_LINKAGE_KEY_FILE, or --dev-key) and
   * the training sees only the encodings.
   */
  pseudonymised?: boolean;
  /** With --pseudonymised: encode with the development linkage key (synthetic data only). */
  devKey?: boolean;
}

/**
 * `sgw match train`: trains a model on a data set (u from random pairs, m by EM sessions,
 * λ estimated, TF on names) and writes it. With --truth, the thresholds are chosen on the
 * tuning split of the true entities (match: most recall at the target precision; possible:
 * best F1) and the test split's figures are printed; without, they are 0.99 and 0.5.
 */
export async function runTrain(opts: TrainCliOptions, print: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env): Promise<{ model: MatchModel; test?: Evaluation }> {
  if (opts.pseudonymised) return runTrainPseudonymised(opts, print, env);
  if (opts.devKey) throw new LinkInputError('--dev-key only applies with --pseudonymised');
  const map = loadColumnMap(opts.columns);
  const pattern = truthPatternOf(opts.truthPattern);
  const left = await readDataset(opts.left, map, opts.truth, pattern);
  const right = opts.right ? await readDataset(opts.right, map, opts.truth, pattern) : undefined;
  const fillFrom = opts.fillFrom ? loadModel(opts.fillFrom) : undefined;
  const { model: trained, report } = trainModel(left.records, right?.records, {
    comparisons: comparisonsFor(map),
    ...(fillFrom ? { fillFrom } : {}),
    ...(opts.randomPairs ? { randomPairs: opts.randomPairs } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    onStep: (s) => print(`training: ${s}`),
  });
  print(`trained on ${report.records.left}${report.records.right === null ? '' : ` × ${report.records.right}`} records: u from ${report.randomPairs.toLocaleString('en-GB')} random pairs; EM ${report.sessions.map((s) => `${s.name} (${s.pairs.toLocaleString('en-GB')} pairs, ${s.iterations} iterations${s.converged ? '' : ', not converged'})`).join('; ')}; λ ${report.lambda.toExponential(3)} (${Math.round(report.expectedMatches)} expected matches)`);
  if (report.untrained.length > 0) {
    print(report.filled.length > 0 ? `not in this data set, copied from ${opts.fillFrom}: ${report.filled.join(', ')}` : `not in this data set, so weight 0 (no evidence) at every level: ${report.untrained.join(', ')} (give --fill-from a model trained on data that has them)`);
  }
  let model = trained;
  let test: Evaluation | undefined;
  const truth = truthOf(left, right);
  if (truth) {
    const pairs = candidatePairs(left.records, right?.records);
    const L = prepareAll(left.records);
    const scored = scorePairs(trained, L, right ? prepareAll(right.records) : L, pairs, { frequencies: termFrequencies([...left.records, ...(right?.records ?? [])]) });
    const choice = chooseThresholds(scored, truth, 'tune', opts.targetPrecision ?? 0.999);
    model = withThresholds(trained, choice);
    test = evaluate(scored, truth, model.thresholds.match, 'test');
    const testPossible = evaluate(scored, truth, model.thresholds.possible, 'test');
    print(`thresholds chosen on the tuning split: match p ≥ ${model.thresholds.match.toPrecision(6)}, possible p ≥ ${model.thresholds.possible.toPrecision(6)}; test split:`);
    for (const line of evaluationLines([
      { label: 'match', e: test },
      { label: 'possible', e: testPossible },
    ]))
      print(line);
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, `${JSON.stringify(model, null, 2)}\n`);
  } catch (err) {
    throw new LinkInputError(`${opts.out}: cannot write the model: ${(err as Error).message}`, { cause: err });
  }
  print(`model written to ${opts.out}`);
  return { model, ...(test ? { test } : {}) };
}

/**
 * `sgw match train --pseudonymised`: encodes the data set(s) with the linkage key (the
 * deployment default encoding), then trains on the encodings alone (pseudonym-train.ts)
 * and writes the model with its encoding options. The Dice bands, and so the model, do not
 * depend on the key (docs/pseudonymisation.md): a model trained on synthetic data with
 * --dev-key serves a deployment key.
 */
async function runTrainPseudonymised(opts: TrainCliOptions, print: (line: string) => void, env: NodeJS.ProcessEnv): Promise<{ model: MatchModel; test?: Evaluation }> {
  if (opts.fillFrom) throw new LinkInputError('--fill-from does not apply with --pseudonymised');
  let secret = loadLinkageSecret(env);
  if (secret && opts.devKey) throw new ConfigError('--dev-key was given but SGW_LINKAGE_KEY (or SGW_LINKAGE_KEY_FILE) is set: use one or the other');
  if (!secret) {
    if (!opts.devKey) throw new ConfigError('SGW_LINKAGE_KEY (or SGW_LINKAGE_KEY_FILE) is not set: the linkage secret, base64 of at least 32 random bytes (or --dev-key for synthetic data)');
    print('WARNING: using the development linkage key (synthetic data only)');
    secret = devKeySet().linkageSecret;
  }
  const map = loadColumnMap(opts.columns);
  const pattern = truthPatternOf(opts.truthPattern);
  const left = await readDataset(opts.left, map, opts.truth, pattern);
  const right = opts.right ? await readDataset(opts.right, map, opts.truth, pattern) : undefined;
  const encoder = createPseudonymiser(secret, DEFAULT_ENCODING);
  const L = left.records.map((r) => encoder.record(r));
  const R = right?.records.map((r) => encoder.record(r));
  print(`encoded ${L.length}${R ? ` + ${R.length}` : ''} records (encoding ${encoder.encoding}); training on the encodings only`);
  const truth = truthOf(left, right);
  const { model, report, evaluation } = trainPseudonymModel(L, R, {
    encoding: encoder.options,
    ...(opts.randomPairs ? { randomPairs: opts.randomPairs } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(truth ? { truth } : {}),
    ...(opts.targetPrecision !== undefined ? { targetPrecision: opts.targetPrecision } : {}),
    onStep: (s) => print(`training: ${s}`),
  });
  print(`trained: ${report.candidatePairs.toLocaleString('en-GB')} candidate pairs; λ ${report.lambda.toExponential(3)} (${Math.round(report.expectedMatches)} expected matches)`);
  if (evaluation) {
    print(`thresholds chosen on the tuning split: match p ≥ ${model.thresholds.match.toPrecision(6)}, possible p ≥ ${model.thresholds.possible.toPrecision(6)}; test split (before the gateway's guards):`);
    for (const line of evaluationLines([
      { label: 'match', e: evaluation.test.match },
      { label: 'possible', e: evaluation.test.possible },
    ]))
      print(line);
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, `${JSON.stringify(pseudonymModelFile(model, encoder.options), null, 2)}\n`);
  } catch (err) {
    throw new LinkInputError(`${opts.out}: cannot write the model: ${(err as Error).message}`, { cause: err });
  }
  print(`pseudonymised model written to ${opts.out}`);
  return { model, ...(evaluation ? { test: evaluation.test.match } : {}) };
}
