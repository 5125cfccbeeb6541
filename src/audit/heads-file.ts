/**
 * The heads file (SGW_AUDIT_HEADS_FILE): one signed tree head per line, as JSON, appended
 * and flushed to disk when signed. It lives outside the database, so someone who can
 * rewrite the database cannot rewrite the heads a verifier checks the log against; ship
 * it (or copies of it) somewhere they cannot reach either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env.js';
import type { SignedTreeHead } from './tree-head.js';

/** A signed head given to a verifier, with where it came from (file and line) for messages. */
export interface TrustedHead {
  jws: string;
  source: string;
}

/** Appends one head as a JSON line and flushes it to disk before returning. */
export function appendHeadLine(file: string, head: SignedTreeHead): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const line = `${JSON.stringify({ treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, keyId: head.keyId, jws: head.jws })}\n`;
  const fd = fs.openSync(file, 'a', 0o644);
  try {
    fs.writeSync(fd, line);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks at start-up that heads can be appended to the file (creating it and its folder if
 * need be): a gateway that cannot publish its heads stops, naming the variable.
 */
export function checkHeadsFileWritable(file: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.closeSync(fs.openSync(file, 'a', 0o644));
  } catch (err) {
    throw new ConfigError(`SGW_AUDIT_HEADS_FILE=${file}: cannot append to the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); signed tree heads are published there`);
  }
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function jwsOf(value: unknown, source: string): string {
  const jws = typeof value === 'string' ? value : (value as { jws?: unknown } | null)?.jws;
  if (typeof jws !== 'string' || !COMPACT_JWS.test(jws)) throw new ConfigError(`--head ${source}: expected a signed tree head (a JSON object with "jws", as in the heads file or GET /audit/head, or a bare compact JWS)`);
  return jws;
}

/**
 * The signed heads in a file given with --head: one head (the JSON that GET /audit/head
 * answers, or a bare compact JWS) or a heads file of JSON lines, every one of which counts.
 */
export function readTrustedHeads(file: string): TrustedHead[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--head ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return headLines(text, file);
  } catch (lineError) {
    // Not JSON lines: perhaps one pretty-printed head, as GET /audit/head answers.
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch {
      throw lineError;
    }
    return [{ jws: jwsOf(whole, file), source: file }];
  }
}

function headLines(text: string, file: string): TrustedHead[] {
  const heads: TrustedHead[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const source = `${file}:${i + 1}`;
    if (!line.startsWith('{')) return heads.push({ jws: jwsOf(line, source), source });
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ConfigError(`--head ${source}: the line is not JSON`);
    }
    heads.push({ jws: jwsOf(value, source), source });
  });
  if (heads.length === 0) throw new ConfigError(`--head ${file}: the file holds no signed head`);
  return heads;
}
