/**
 * The registry of gateway error codes. A code is never reused for a different meaning;
 * docs/errors.md tables them (a test keeps the two in step).
 */
export const ERROR_CODES = {
  GW_ERR_AUTH_MISSING: { status: 401, issueCode: 'login', title: 'No bearer token was sent' },
  GW_ERR_AUTH_INVALID: { status: 401, issueCode: 'login', title: 'The bearer token is not valid (signature, expiry, issuer, audience or claims)' },
  GW_ERR_FORBIDDEN_ROLE: { status: 403, issueCode: 'forbidden', title: 'The caller\'s role may not do this' },
  GW_ERR_FORBIDDEN_PURPOSE: { status: 403, issueCode: 'forbidden', title: 'The stated purpose of use does not permit this' },
  GW_ERR_FORBIDDEN_OWNER: { status: 403, issueCode: 'forbidden', title: 'Only the owning agency may do this' },
  GW_ERR_SHARING_DENIED: { status: 403, issueCode: 'forbidden', title: 'No data-sharing agreement in force permits this release (or one explicitly denies it)' },
  GW_ERR_CONSENT_REQUIRED: { status: 403, issueCode: 'forbidden', title: 'The agreement requires consent, and consent was refused, withdrawn or not recorded' },
  GW_ERR_OVERRIDE_NOT_ALLOWED: { status: 403, issueCode: 'forbidden', title: 'A consent override was asked for but is not allowed (role, purpose, reason or subject)' },
  GW_ERR_INVALID_NHS_NUMBER: { status: 400, issueCode: 'value', title: 'The NHS number is not valid' },
  GW_ERR_MISSING_PARAMETER: { status: 400, issueCode: 'required', title: 'A required parameter or header is missing' },
  GW_ERR_INVALID_PARAMETER: { status: 400, issueCode: 'value', title: 'A parameter or header has a value that is not allowed' },
  GW_ERR_UNSUPPORTED_PARAMETER: { status: 400, issueCode: 'not-supported', title: 'A search parameter is not supported' },
  GW_ERR_MALFORMED_BODY: { status: 400, issueCode: 'structure', title: 'The request body could not be parsed' },
  GW_ERR_INVALID_RESOURCE: { status: 422, issueCode: 'invalid', title: 'The resource breaks a rule' },
  GW_ERR_VALIDATION_FAILED: { status: 422, issueCode: 'invalid', title: 'The message breaks a structural rule, a mapping rule or a published business rule; nothing was stored' },
  GW_ERR_NHS_NUMBER_NOT_VERIFIED: { status: 422, issueCode: 'business-rule', title: 'The NHS number is not verified (status 01 required)' },
  GW_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, issueCode: 'not-supported', title: 'The content type is not supported' },
  GW_ERR_BODY_TOO_LARGE: { status: 413, issueCode: 'too-costly', title: 'The request body is larger than the configured limit' },
  GW_ERR_NOT_FOUND: { status: 404, issueCode: 'not-found', title: 'No such resource or endpoint' },
  GW_ERR_MATCH_CONFLICT: { status: 409, issueCode: 'conflict', title: 'The person-index change contradicts the records or an earlier decision; nothing was changed' },
  GW_ERR_ALERT_STATE_CONFLICT: { status: 409, issueCode: 'conflict', title: 'The alert is not in a state that allows this change (acknowledging or closing a closed alert, acknowledging an acknowledged one); nothing was changed' },
  GW_ERR_METHOD_NOT_ALLOWED: { status: 405, issueCode: 'not-supported', title: 'The interaction is not supported on this endpoint' },
  GW_ERR_ROUTING_FILE_INVALID: { status: 422, issueCode: 'invalid', title: 'A postcode routing file breaks a rule (header, postcode or local authority); nothing was loaded' },
  GW_ERR_RATE_LIMITED: { status: 429, issueCode: 'throttled', title: 'Too many requests from this agency (or, unauthenticated, this address); Retry-After says when to try again' },
  GW_ERR_AUDIT_UNAVAILABLE: { status: 503, issueCode: 'transient', title: 'The audit log could not be written, so nothing was answered' },
  GW_ERR_DATABASE_UNAVAILABLE: { status: 503, issueCode: 'transient', title: 'The database is not available' },
  GW_ERR_INTERNAL: { status: 500, issueCode: 'exception', title: 'An unexpected error; it has been logged' },
} as const satisfies Record<string, { status: number; issueCode: string; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
