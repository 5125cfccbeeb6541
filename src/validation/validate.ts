import type { GatewayIssue } from '../errors/gateway-error.js';
import type { CinCensusTree } from '../formats/cin-census.js';
import type { Ssda903Tree } from '../formats/ssda903.js';
import type { WireFormat } from '../formats/types.js';
import { CIN_RULES } from './cin/index.js';
import { runRules } from './rule.js';
import { SSDA903_RULES } from './ssda903/index.js';

/**
 * Runs the published business rules of a format over a structurally valid message
 * tree: the DfE CIN census rules, the SSDA903 rules. Formats without published rule
 * sets (FHIR, HL7 v2, CP-IS upload) are checked by their readers and mappings alone.
 */
export function validateTree(format: WireFormat, tree: unknown): GatewayIssue[] {
  switch (format) {
    case 'cin-census-xml':
      return runRules(CIN_RULES, tree as CinCensusTree);
    case 'ssda903-csv':
    case 'ssda903-xml':
      return runRules(SSDA903_RULES, tree as Ssda903Tree);
    default:
      return [];
  }
}
