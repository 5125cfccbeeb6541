import type { ErrorCode } from './codes.js';
import { ERROR_CODES } from './codes.js';

/** One OperationOutcome-shaped issue. `expression` names the field, parameter or header. */
export interface GatewayIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  diagnostics: string;
  expression?: string[];
  /** The published rule broken, e.g. `CIN-8925`, `SSDA903-103`, `CPR03`, when there is one. */
  rule?: string;
}

/**
 * The one error type of the gateway: a stable `GW_ERR_*` code, the HTTP status it maps
 * to, and the issues that explain it. Rendered as a FHIR OperationOutcome by the API.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: GatewayIssue[];

  constructor(code: ErrorCode, diagnostics: string, options: { expression?: string | string[]; issues?: GatewayIssue[]; cause?: unknown } = {}) {
    super(diagnostics, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    const expression = options.expression === undefined ? undefined : ([] as string[]).concat(options.expression);
    this.issues = options.issues ?? [
      { severity: 'error', code: ERROR_CODES[code].issueCode, diagnostics, ...(expression ? { expression } : {}) },
    ];
  }
}

/** Builds one error that carries several collected issues (collect, then decide). */
export function errorFromIssues(code: ErrorCode, issues: GatewayIssue[]): GatewayError {
  const summary = issues.map((i) => (i.expression?.length ? `${i.expression.join(', ')}: ${i.diagnostics}` : i.diagnostics)).join('; ');
  return new GatewayError(code, summary, { issues });
}
