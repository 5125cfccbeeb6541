import type { GatewayIssue } from '../errors/gateway-error.js';
import type { RecordDraft } from './engine.js';
import { runMapping, unconsumedInput } from './engine.js';
import type { MappingRegistry } from './registry.js';

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
  const consumed = new Set<string>();
  const prefixes: string[] = [];
  for (const m of mappings) {
    const run = runMapping(m, tree, env);
    drafts.push(...run.drafts);
    issues.push(...run.issues);
    for (const c of m.consumed) consumed.add(c);
    prefixes.push(...m.consumedPrefixes);
  }
  issues.push(...unconsumedInput(tree, consumed, prefixes));
  return { drafts, issues, mappings: mappings.map((m) => m.label) };
}
