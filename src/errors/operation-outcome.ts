import type { GatewayError } from './gateway-error.js';
import { ERROR_CODES } from './codes.js';
import { storableText } from './well-formed.js';
import { GATEWAY_ERROR_SYSTEM, VALIDATION_RULE_SYSTEM } from '../model/systems.js';

/** Renders a GatewayError as a FHIR R4 OperationOutcome with the GW_ERR code in each issue's details. */
export function toOperationOutcome(err: GatewayError): fhir4.OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: err.issues.map((issue) => ({
      severity: issue.severity,
      code: issue.code,
      details: {
        coding: [
          { system: GATEWAY_ERROR_SYSTEM, code: err.code, display: ERROR_CODES[err.code].title },
          ...(issue.rule ? [{ system: VALIDATION_RULE_SYSTEM, code: issue.rule }] : []),
        ],
        text: ERROR_CODES[err.code].title,
      },
      diagnostics: storableText(issue.diagnostics),
      ...(issue.expression ? { expression: issue.expression } : {}),
    })),
  };
}
