import type { GatewayIssue } from '../errors/gateway-error.js';
import type { CompiledMapping, RecordDraft } from './engine.js';
import { runMapping, unconsumedInput } from './engine.js';
import type { MappingRegistry } from './registry.js';

interface ConsumedIndex {
  consumed: Set<string>;
  prefixes: string[];
  memo: Map<string, boolean>;
}

/** What the mappings of one format consume, built once per set of mappings. */
const indexes = new WeakMap<readonly CompiledMapping[], ConsumedIndex>();
function consumedIndex(mappings: readonly CompiledMapping[]): ConsumedIndex {
  let index = indexes.get(mappings);
  if (!index) {
    index = { consumed: new Set(mappings.flatMap((m) => [...m.consumed])), prefixes: mappings.flatMap((m) => m.consumedPrefixes), memo: new Map() };
    indexes.set(mappings, index);
  }
  return index;
}

export interface MappedMessage {
  drafts: RecordDraft[];
  issues: GatewayIssue[];
  mappings: string[];
}

/**
 * Runs every mapping for a format over one message tree, then reports the input that
 * none of them consumed. `env` holds values the mappings may read as %variables
 * (%agency, %agencyCode).
 */
export function mapMessage(registry: MappingRegistry, format: string, tree: unknown, env: Record<string, unknown>): MappedMessage {
  const mappings = registry.forFormat(format);
  if (mappings.length === 0) {
    return { drafts: [], issues: [{ severity: 'error', code: 'not-supported', diagnostics: `no mapping in ${registry.dir} reads ${format}` }], mappings: [] };
  }
  const drafts: RecordDraft[] = [];
  const issues: GatewayIssue[] = [];
  // One push per item: spreading a bulk upload's hundreds of thousands of drafts into
  // push() would pass them all as arguments and overflow the stack.
  for (const m of mappings) {
    const run = runMapping(m, tree, env);
    for (const d of run.drafts) drafts.push(d);
    for (const i of run.issues) issues.push(i);
  }
  const index = consumedIndex(mappings);
  for (const i of unconsumedInput(tree, index.consumed, index.prefixes, '', index.memo)) issues.push(i);
  return { drafts, issues, mappings: mappings.map((m) => m.label) };
}
