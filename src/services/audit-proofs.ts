/**
 * Tamper evidence for auditors: the latest signed tree head, and RFC 6962 inclusion and
 * consistency proofs computed from the stored tree. Answers hold hashes only, never an
 * entry's content, so they are not personal data and are not themselves audited (which
 * would also grow the log with every look at it).
 */
import type { JWK } from 'jose';
import type { TreeHeadPublisher } from '../audit/head-publisher.js';
import type { SignedTreeHead } from '../audit/tree-head.js';
import { consistencyProofBetween, currentTreeSize, inclusionProofAt } from '../audit/tree-store.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Action, Requester } from '../policy/authorise.js';
import { authorise } from '../policy/authorise.js';
import type { GatewayContext } from './context.js';

export interface HeadAnswer extends SignedTreeHead {
  /** The public key the head is signed with, as a JWK carrying its kid. */
  publicKey: JWK;
}

/** Verifiable with verifyInclusion(answer, rootHash of a trusted head of size treeSize). */
export interface InclusionAnswer {
  entry: number;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  /** The root of the tree of treeSize entries as stored now: compare a signed head's, never trust this one. */
  rootHash: string;
}

/** Verifiable with verifyConsistency(answer, first trusted root, second trusted root). */
export interface ConsistencyAnswer {
  firstSize: number;
  secondSize: number;
  consistencyPath: string[];
  firstRootHash: string;
  secondRootHash: string;
}

function allow(requester: Requester, action: Action): void {
  const decision = authorise(requester, action);
  if (!decision.permit) throw new GatewayError(decision.code, decision.reason);
}

function publisher(ctx: GatewayContext): TreeHeadPublisher {
  if (!ctx.treeHeads) throw new GatewayError('GW_ERR_NOT_FOUND', 'this gateway process signs no tree heads');
  return ctx.treeHeads;
}

/** The latest head signed with this gateway's key, with that key. */
export async function latestTreeHead(ctx: GatewayContext, requester: Requester): Promise<HeadAnswer> {
  allow(requester, 'audit:head');
  const heads = publisher(ctx);
  const head = await heads.latest();
  if (!head) throw new GatewayError('GW_ERR_NOT_FOUND', 'no tree head has been signed yet: the gateway signs one at start-up, every SGW_AUDIT_HEAD_INTERVAL_SECONDS and at shutdown, once the audit log holds an entry');
  return { ...head, publicKey: heads.key.publicJwk };
}

function beyond(parameter: string, diagnostics: string): GatewayError {
  return new GatewayError('GW_ERR_INVALID_PARAMETER', diagnostics, { expression: parameter });
}

/**
 * The audit path of entry `entry` (leaf entry − 1) in the tree of `treeSize` entries:
 * by default the size of the latest signed head (the current tree before the first head).
 */
export async function auditInclusionProof(ctx: GatewayContext, requester: Requester, query: { entry: number; treeSize?: number | undefined }): Promise<InclusionAnswer> {
  allow(requester, 'audit:proof');
  const current = await currentTreeSize(ctx.db);
  if (query.treeSize !== undefined && query.treeSize > current) {
    throw beyond('treeSize', `treeSize ${query.treeSize} is beyond the tree: the audit log holds ${current} entries; expected a size from 1 to ${current}`);
  }
  const signed = query.treeSize === undefined ? await publisher(ctx).latest() : null;
  const treeSize = query.treeSize ?? signed?.treeSize ?? current;
  if (query.entry > treeSize) {
    const which = query.treeSize !== undefined ? `the tree of treeSize ${treeSize} entries` : signed ? `the tree of the latest signed head, ${treeSize} entries` : `the tree of ${treeSize} entries`;
    if (treeSize === 0) throw beyond('entry', `entry ${query.entry} is beyond the tree: the audit log holds no entries yet`);
    throw beyond('entry', `entry ${query.entry} is beyond ${which}; expected an entry from 1 to ${treeSize}${query.treeSize === undefined && current > treeSize ? `, or give treeSize up to ${current}` : ''}`);
  }
  const proof = await inclusionProofAt(ctx.db, query.entry - 1, treeSize);
  return { entry: query.entry, leafIndex: query.entry - 1, treeSize, ...proof };
}

/** The consistency proof from the tree of `from` entries to that of `to` entries. */
export async function auditConsistencyProof(ctx: GatewayContext, requester: Requester, query: { from: number; to: number }): Promise<ConsistencyAnswer> {
  allow(requester, 'audit:proof');
  if (query.from > query.to) throw beyond('from', `from (${query.from}) must not be greater than to (${query.to}): a consistency proof runs from an earlier tree size to a later one`);
  const current = await currentTreeSize(ctx.db);
  if (query.to > current) throw beyond('to', `to ${query.to} is beyond the tree: the audit log holds ${current} entries; expected a size from ${query.from} to ${current}`);
  const proof = await consistencyProofBetween(ctx.db, query.from, query.to);
  return { firstSize: query.from, secondSize: query.to, consistencyPath: proof.consistencyPath, firstRootHash: proof.firstRoot, secondRootHash: proof.secondRoot };
}
