/**
 * `sgw pseudonymise`: an agency encodes its own data set locally, before anything leaves
 * it, into one JSON line per person (HMAC pseudonyms and hardened Bloom filters; see
 * src/matching/pseudonym.ts). The column map is the one `sgw link` reads. The linkage key
 * comes from SGW_LINKAGE_KEY or SGW_LINKAGE_KEY_FILE; the development key only when asked
 * for. Nothing personal is printed: counts, file names and the encoding stamp only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env.js';
import { devKeySet, loadLinkageSecret } from '../crypto/keys.js';
import type { Hardening } from '../matching/pseudonym.js';
import { DEFAULT_ENCODING, DEFAULT_IDENTIFIER_SYSTEM, HARDENINGS, createPseudonymiser, pseudonymRecordToJson } from '../matching/pseudonym.js';
import { LinkInputError, csvCell, loadColumnMap, readDataset } from './link.js';

export interface PseudonymiseOptions {
  in: string;
  columns: string;
  out: string;
  /** System URI the map's `identifier` column is pseudonymised under (default: NHS number). */
  identifierSystem?: string;
  /** One of HARDENINGS (default: the deployment default, both). */
  hardening?: string;
  /** Bits per field filter, a multiple of 64 (default 1024). */
  length?: string | number;
  /** Use the development linkage key (synthetic data only). */
  devKey?: boolean;
  /**
   * Replace each record id with a random one and write local id → random id to this CSV
   * (owner-only permissions), which the agency keeps: only it can map a match back.
   */
  idMap?: string;
}

export interface PseudonymiseOutcome {
  records: number;
  encoding: string;
  seconds: number;
}

/** Writes to a temporary file beside the target and renames it, so a failed run leaves no half file. */
function writeAtomically(file: string, lines: Iterable<string>, mode = 0o644): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    for (const line of lines) fs.writeSync(fd, `${line}\n`);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export async function runPseudonymise(opts: PseudonymiseOptions, env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): Promise<PseudonymiseOutcome> {
  const t0 = performance.now();
  let secret = loadLinkageSecret(env);
  if (secret && opts.devKey) throw new ConfigError('--dev-key was given but SGW_LINKAGE_KEY (or SGW_LINKAGE_KEY_FILE) is set: use one or the other');
  if (!secret) {
    if (!opts.devKey) throw new ConfigError('SGW_LINKAGE_KEY (or SGW_LINKAGE_KEY_FILE) is not set: the linkage secret, base64 of at least 32 random bytes, shared by the agencies of this deployment (or --dev-key for synthetic data)');
    print('WARNING: using the development linkage key; its encodings protect nothing (synthetic data only)');
    secret = devKeySet().linkageSecret;
  }
  if (opts.hardening !== undefined && !(HARDENINGS as readonly string[]).includes(opts.hardening)) {
    throw new LinkInputError(`--hardening ${opts.hardening}: expected one of ${HARDENINGS.join(', ')}`);
  }
  const length = opts.length === undefined ? DEFAULT_ENCODING.length : Number(opts.length);
  if (!Number.isInteger(length) || length < 64 || length > 16384 || length % 64 !== 0) throw new LinkInputError(`--length ${opts.length}: expected a multiple of 64 bits from 64 to 16384`);
  const map = loadColumnMap(opts.columns);
  const { records } = await readDataset(opts.in, map);
  const encoder = createPseudonymiser(secret, { ...DEFAULT_ENCODING, hardening: (opts.hardening as Hardening | undefined) ?? DEFAULT_ENCODING.hardening, length });
  const system = opts.identifierSystem ?? DEFAULT_IDENTIFIER_SYSTEM;
  const idMap: string[] = ['local_id,pseudonymous_id'];
  const lines = records.map((r) => {
    const id = opts.idMap ? crypto.randomUUID() : r.id;
    if (opts.idMap) idMap.push(`${csvCell(r.id)},${id}`);
    const encoded = encoder.record({ ...r, id }, r.identifier ? [{ system, value: r.identifier }] : []);
    return JSON.stringify(pseudonymRecordToJson(encoded));
  });
  if (opts.idMap) writeAtomically(opts.idMap, idMap, 0o600);
  writeAtomically(opts.out, lines);
  const seconds = (performance.now() - t0) / 1000;
  print(`encoded ${records.length} records from ${opts.in} into ${opts.out} (encoding ${encoder.encoding}: ${encoder.options.length}-bit filters, ${encoder.options.hardening}) in ${seconds.toFixed(1)} s`);
  if (opts.idMap) print(`local ids → pseudonymous ids written to ${opts.idMap}: keep it with the agency, do not send it`);
  return { records: records.length, encoding: encoder.encoding, seconds };
}
