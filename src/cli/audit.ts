import type { TrustedHead } from '../audit/heads-file.js';
import { readTrustedHeads } from '../audit/heads-file.js';
import { exportAuditLog } from '../audit/log-rows.js';
import type { AuditPublicKey } from '../audit/signing-key.js';
import { publicKeysFromFile, readDevAuditKey } from '../audit/signing-key.js';
import type { VerifyResult } from '../audit/verify.js';
import { verifyAuditExport, verifyAuditLog } from '../audit/verify.js';
import type { Config } from '../config/env.js';
import { openDatabase } from '../store/open-db.js';

export interface AuditVerifyOptions {
  /** Trusted signed heads: files of one head or of JSON lines (the heads file). */
  head: string[];
  /** Public keys (PEM, JWK or JWK Set) heads may be signed with. */
  publicKey: string[];
  /** Verify this export instead of the live database. */
  file?: string | undefined;
}

/**
 * The keys heads are checked with: those given, or else this deployment's own signing key
 * (SGW_AUDIT_SIGNING_KEY_FILE, or the development key under the data directory) — after a
 * rotation, pass the retired keys too.
 */
function trustedKeys(config: Config, files: string[]): AuditPublicKey[] {
  if (files.length > 0) return files.flatMap(publicKeysFromFile);
  const own = config.auditSigningKey ?? readDevAuditKey(config.dataDir);
  return own ? [{ kid: own.kid, key: own.key }] : [];
}

/** `sgw audit verify`: prints the outcome and returns the exit code (1 naming the first problem). */
export async function runAuditVerify(config: Config, opts: AuditVerifyOptions): Promise<number> {
  const heads: TrustedHead[] = opts.head.flatMap(readTrustedHeads);
  const keys = trustedKeys(config, opts.publicKey);
  const what = opts.file ? 'audit export' : 'audit log';
  let result: VerifyResult;
  if (opts.file) {
    result = await verifyAuditExport(opts.file, { heads, keys });
  } else {
    const db = await openDatabase(config);
    try {
      result = await verifyAuditLog(db, { heads, keys });
    } finally {
      await db.close();
    }
  }
  if (!result.ok) {
    console.error(`${what} FAILED verification${result.firstBadSeq === null ? '' : ` at entry ${result.firstBadSeq}`}: ${result.problem}`);
    return 1;
  }
  const signed = result.headsChecked === 0 ? 'no signed head checked' : `${result.headsChecked} signed tree head${result.headsChecked === 1 ? '' : 's'} hold`;
  console.log(`${what} verified: ${result.entries} entries, head ${result.headHash}, tree root ${result.rootHash}; ${signed}`);
  return 0;
}

/** `sgw audit export`: writes the log's rows as JSON lines. */
export async function runAuditExport(config: Config, out: string): Promise<void> {
  const db = await openDatabase(config);
  try {
    const n = await exportAuditLog(db, out);
    console.log(`exported ${n} audit entries to ${out}`);
  } finally {
    await db.close();
  }
}
