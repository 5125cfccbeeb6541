import { z } from 'zod';
import { ERROR_CODES } from '../errors/codes.js';
import { AlertSchema } from '../model/alert.js';
import { WIRE_FORMATS } from '../formats/read.js';
import { GATEWAY_ERROR_SYSTEM } from '../model/systems.js';
import { ROLES } from '../policy/roles.js';
import { knownPurposeClaims } from '../policy/purposes.js';
import type { JsonSchema } from './notification-schema.js';
import { NOTIFICATION_SCHEMA_PATH, notificationJsonSchema } from './notification-schema.js';

/**
 * The OpenAPI 3.1 description of the gateway's non-FHIR endpoints (the FHIR ones are
 * described by `GET /fhir/metadata`). Built in code so that the notification schemas come
 * from the same zod schemas that check requests; a test keeps the paths in step with the
 * routes the app mounts.
 */

type Operation = Record<string, unknown>;
type Method = 'get' | 'post';

const FHIR_JSON = 'application/fhir+json';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** The error responses, as OperationOutcomes with a GW_ERR code. */
const ERROR_RESPONSES = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '422': 'Unprocessable',
  '429': 'TooManyRequests',
  '503': 'Unavailable',
} as const;
type ErrorStatus = keyof typeof ERROR_RESPONSES;

function codesFor(status: number): string[] {
  return Object.entries(ERROR_CODES)
    .filter(([, c]) => c.status === status)
    .map(([code]) => code);
}

function errorResponse(status: number, description: string) {
  return {
    description: `${description}. An OperationOutcome whose issues carry one of: ${codesFor(status).join(', ')}.`,
    content: { [FHIR_JSON]: { schema: ref('OperationOutcome') } },
  };
}

/** An operation that needs a bearer token: 401, 429 (the agency's rate limit) and 503 (its audit cannot be written) come with it. */
function secured(op: Operation, errors: ErrorStatus[]): Operation {
  const all = [...new Set<ErrorStatus>(['401', ...errors, '429', '503'])];
  return { ...op, security: [{ bearerJwt: [] }], responses: { ...(op.responses as object), ...errorRefs(all) } };
}

function open(op: Operation): Operation {
  return { ...op, security: [] };
}

function errorRefs(statuses: ErrorStatus[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, { $ref: `#/components/responses/${ERROR_RESPONSES[s]}` }]));
}

const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: what, schema: { type: 'string' } });
const query = (name: string, description: string, schema: JsonSchema, required = false) => ({ name, in: 'query', required, description, schema });
const count = (fallback: number, max: number) => query('_count', `how many to return (default ${fallback}, at most ${max})`, { type: 'integer', minimum: 0, maximum: max });
const overrideReason = {
  name: 'Override-Reason',
  in: 'header',
  required: false,
  description: 'asks for a consent override (s47 enquiries), with the reason recorded in the audit; percent-encoded UTF-8',
  schema: { type: 'string' },
};
const ok = (description: string, schema: JsonSchema = { type: 'object' }) => ({ description, content: json(schema) });

const RECEIPT: JsonSchema = {
  type: 'object',
  description: 'What the gateway did with a police notification: whom it was made available to, and when.',
  required: ['id', 'force', 'reference', 'type', 'version', 'status', 'receivedAt', 'updatedAt', 'persons', 'routes', 'warnings'],
  properties: {
    id: { type: 'string' },
    force: { type: 'string', description: 'ONS police force area code' },
    reference: { type: 'string' },
    type: { type: 'string', enum: ['child-concern', 'domestic-abuse', 'encompass', 'missing'] },
    version: { type: 'integer', minimum: 1, description: 'incremented by each changed re-submission of the same force and reference' },
    status: { type: 'string', enum: ['routed', 'unroutable'] },
    receivedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    persons: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ref', 'roles', 'personId', 'match'],
        properties: {
          ref: { type: 'string', description: "the force's ref for the person in the submission" },
          roles: { type: 'array', items: { type: 'string' } },
          personId: { type: 'string', description: 'the person-index id the person resolved to' },
          match: {
            type: 'object',
            required: ['method', 'awaitingReview'],
            properties: {
              method: { type: 'string', enum: ['new', 'identifier', 'nhs-number', 'model', 'manual'], description: 'new person, shared identifier (NHS number or nominal id), verified NHS number, the match model, or a person\'s decision' },
              awaitingReview: { type: 'boolean', description: 'a possible match waits for a person to review' },
            },
          },
        },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['recipient', 'kind', 'basis', 'personRef', 'madeAvailableAt', 'viewedAt'],
        properties: {
          recipient: { type: 'string', description: 'agency id, e.g. la:383 or school:100000' },
          kind: { type: 'string', enum: ['local-authority', 'school', 'unroutable'] },
          basis: { type: 'string', description: 'why this recipient (e.g. responsible LA, address postcode, school URN)' },
          personRef: { type: ['string', 'null'] },
          madeAvailableAt: { type: 'string', format: 'date-time' },
          viewedAt: { type: ['string', 'null'], format: 'date-time' },
          schoolDayStart: { type: 'string', format: 'date-time', description: 'schools (Operation Encompass): the start of the next school day, Europe/London' },
          beforeSchoolDay: { type: 'boolean', description: 'schools: whether the notice was available before that start' },
        },
      },
    },
    warnings: { type: 'array', items: ref('OperationOutcomeIssue') },
  },
};

/** The alert as `GET /alerts/{id}` answers it, from the same zod schema the store checks. */
const ALERT: JsonSchema = { ...(z.toJSONSchema(AlertSchema, { io: 'output' }) as JsonSchema), description: 'an explainable alert: the rule, and the facts (never personal details) that made it fire' };
delete ALERT.$schema;

const WEBHOOK_DELIVERY: JsonSchema = {
  type: 'object',
  required: ['id', 'webhookId', 'communication', 'category', 'status', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    webhookId: { type: 'string', description: 'the webhook-id header sent on every attempt: receivers deduplicate on it' },
    communication: { type: 'string', description: 'Communication/<id> the notice announced' },
    category: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer', minimum: 0 },
    createdAt: { type: 'string', format: 'date-time' },
    lastAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
    failedAt: { type: ['string', 'null'], format: 'date-time' },
    lastStatus: { type: ['integer', 'null'], description: "the receiver's HTTP status at the last attempt" },
    lastError: { type: ['string', 'null'] },
  },
};

const OPERATION_OUTCOME_ISSUE: JsonSchema = {
  type: 'object',
  required: ['severity', 'code'],
  properties: {
    severity: { type: 'string', enum: ['fatal', 'error', 'warning', 'information'] },
    code: { type: 'string' },
    details: {
      type: 'object',
      description: `coding[0] is the gateway error code (system ${GATEWAY_ERROR_SYSTEM})`,
      properties: { coding: { type: 'array', items: { type: 'object', properties: { system: { type: 'string' }, code: { type: 'string' }, display: { type: 'string' } } } }, text: { type: 'string' } },
    },
    diagnostics: { type: 'string' },
    expression: { type: 'array', items: { type: 'string' }, description: 'the field at fault' },
  },
};

const INGEST_OUTCOME: JsonSchema = {
  type: 'object',
  description: 'Per record: what the message became, what was not consumed and what was rejected.',
  properties: {
    format: { type: 'string', enum: [...WIRE_FORMATS] },
    messageId: { type: ['string', 'null'] },
    stored: { type: 'boolean' },
    mappings: { type: 'array', items: { type: 'string' } },
    records: { type: 'array', items: { type: 'object' } },
    warnings: { type: 'array', items: ref('OperationOutcomeIssue') },
    rejected: { type: 'array', items: { type: 'object' } },
  },
};

const messageBody = {
  required: true,
  description: `one message in any supported format, told by Content-Type or ?format= (${WIRE_FORMATS.join(', ')})`,
  content: Object.fromEntries(['application/fhir+json', 'application/fhir+xml', 'application/hl7-v2', 'x-application/hl7-v2+er7', 'application/xml', 'text/csv', 'application/octet-stream'].map((t) => [t, { schema: { type: 'string' } }])),
};
const formatParams = [
  query('format', 'the wire format, when Content-Type does not say', { type: 'string', enum: [...WIRE_FORMATS] }),
  query('partial', 'true: store the records that pass and report the rest; false (default): all or nothing', { type: 'boolean' }),
];
const jsonObjectBody = (schema: JsonSchema) => ({ required: true, content: json(schema) });

/** Every documented path and method: [path, method, operation]. */
function operations(): [string, Method, Operation][] {
  return [
    ['/health/live', 'get', open({ tags: ['operations'], summary: 'Liveness: the process answers', responses: { '200': ok('alive', { type: 'object', properties: { status: { const: 'ok' } } }) } })],
    [
      '/health/ready',
      'get',
      open({ tags: ['operations'], summary: 'Readiness: the database answers too', responses: { '200': ok('ready', { type: 'object', properties: { status: { const: 'ready' }, database: { type: 'string' } } }), '503': ok('the database does not answer', { type: 'object' }) } }),
    ],
    ['/openapi.json', 'get', open({ tags: ['documentation'], summary: 'This document', responses: { '200': ok('OpenAPI 3.1 document') } })],
    [
      NOTIFICATION_SCHEMA_PATH,
      'get',
      open({ tags: ['documentation'], summary: 'JSON Schema (draft 2020-12) of the police notification submission', responses: { '200': { description: 'the schema', content: { 'application/schema+json': { schema: { type: 'object' } } } } } }),
    ],
    [
      '/ingest',
      'post',
      secured(
        { tags: ['ingest'], summary: 'Ingest one message in any supported non-FHIR (or FHIR) format', parameters: formatParams, requestBody: messageBody, responses: { '201': ok('records were created', INGEST_OUTCOME), '200': ok('records were updated or unchanged', INGEST_OUTCOME) } },
        ['400', '403', '413', '415', '422'],
      ),
    ],
    ['/validate', 'post', secured({ tags: ['ingest'], summary: 'Check a message as /ingest would, storing nothing', parameters: formatParams, requestBody: messageBody, responses: { '200': ok('the checks', INGEST_OUTCOME) } }, ['400', '403', '413', '415', '422'])],
    ['/people/{id}', 'get', secured({ tags: ['records'], summary: "A person's records, as far as the sharing rules release them", parameters: [idParam('person-index id'), overrideReason], responses: { '200': ok('the person and released records') } }, ['400', '403', '404'])],
    ['/people/{id}/chronology', 'get', secured({ tags: ['records'], summary: 'Multi-agency chronology of a person, filtered by what the caller may see', parameters: [idParam('person-index id'), overrideReason], responses: { '200': ok('the timeline') } }, ['400', '403', '404'])],
    ['/people/{id}/disclosures', 'get', secured({ tags: ['audit'], summary: 'Accounting of disclosures about a person', parameters: [idParam('person-index id'), count(500, 5000)], responses: { '200': ok('who saw what, when and why') } }, ['400', '403', '404'])],
    ['/records/{id}', 'get', secured({ tags: ['records'], summary: 'One record, as far as the sharing rules release it', parameters: [idParam('record id'), overrideReason], responses: { '200': ok('the record') } }, ['400', '403', '404'])],
    [
      '/matching/reviews',
      'get',
      secured(
        {
          tags: ['matching'],
          summary: 'The review queue of possible matches',
          parameters: [query('status', 'default open', { type: 'string', enum: ['open', 'linked', 'not-a-match', 'withdrawn'] }), count(50, 200), query('_offset', 'paging offset', { type: 'integer', minimum: 0 })],
          responses: { '200': ok('the reviews') },
        },
        ['400', '403'],
      ),
    ],
    ['/matching/reviews/{id}', 'get', secured({ tags: ['matching'], summary: 'One review, with the evidence for and against', parameters: [idParam('review id')], responses: { '200': ok('the review') } }, ['403', '404'])],
    [
      '/matching/reviews/{id}',
      'post',
      secured(
        {
          tags: ['matching'],
          summary: 'Decide a review: link or not a match',
          parameters: [idParam('review id')],
          requestBody: jsonObjectBody({ type: 'object', required: ['decision', 'reason'], properties: { decision: { enum: ['link', 'not-a-match'] }, reason: { type: 'string' } } }),
          responses: { '200': ok('the decision') },
        },
        ['400', '403', '404', '409'],
      ),
    ],
    [
      '/matching/link',
      'post',
      secured(
        { tags: ['matching'], summary: 'Link two records as one person', requestBody: jsonObjectBody({ type: 'object', required: ['records', 'reason'], properties: { records: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 }, reason: { type: 'string' } } }), responses: { '200': ok('the link') } },
        ['400', '403', '404', '409'],
      ),
    ],
    [
      '/matching/not-a-match',
      'post',
      secured(
        { tags: ['matching'], summary: 'Record that two records are not the same person', requestBody: jsonObjectBody({ type: 'object', required: ['records', 'reason'], properties: { records: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 }, reason: { type: 'string' } } }), responses: { '200': ok('the decision') } },
        ['400', '403', '404', '409'],
      ),
    ],
    [
      '/matching/unlink',
      'post',
      secured(
        { tags: ['matching'], summary: 'Separate a source record from the person it was linked to', requestBody: jsonObjectBody({ type: 'object', required: ['source', 'reason'], properties: { source: { type: 'string' }, person: { type: 'string' }, reason: { type: 'string' } } }), responses: { '200': ok('the new person') } },
        ['400', '403', '404', '409'],
      ),
    ],
    [
      '/webhooks/deliveries',
      'get',
      secured(
        {
          tags: ['webhooks'],
          summary: "The caller's agency's webhook deliveries: attempts, last status and error (roles admin, auditor; purpose audit)",
          parameters: [query('status', 'filter by status', { type: 'string', enum: ['pending', 'delivered', 'failed'] }), count(100, 1000)],
          responses: { '200': ok('deliveries', { type: 'object', required: ['agency', 'deliveries'], properties: { agency: { type: 'string' }, status: { type: 'string' }, deliveries: { type: 'array', items: ref('WebhookDelivery') } } }) },
        },
        ['400', '403'],
      ),
    ],
    [
      '/admin/token-revocations',
      'post',
      secured(
        {
          tags: ['admin'],
          summary: "Revoke one of the caller's agency's tokens (jti), or every token of one of its users issued up to a time (sub, issuedBefore; default now) (role admin; purpose audit)",
          requestBody: jsonObjectBody({ type: 'object', properties: { jti: { type: 'string', maxLength: 256 }, sub: { type: 'string', maxLength: 256 }, issuedBefore: { type: 'string', format: 'date-time' }, reason: { type: 'string', maxLength: 500 } } }),
          responses: { '201': ok('the revocation', { type: 'object', required: ['id', 'agency'], properties: { id: { type: 'integer' }, agency: { type: 'string' }, jti: { type: 'string' }, sub: { type: 'string' }, issuedBefore: { type: 'string', format: 'date-time' } } }) },
        },
        ['400', '403', '413', '415', '422'],
      ),
    ],
    ['/audit/head', 'get', secured({ tags: ['audit'], summary: 'The latest signed tree head of the audit log, with its public key', responses: { '200': ok('signed tree head') } }, ['400', '403'])],
    [
      '/audit/proof/inclusion',
      'get',
      secured(
        {
          tags: ['audit'],
          summary: 'Proof that an audit entry is in the tree (RFC 6962)',
          parameters: [query('entry', 'sequence number of the audit entry', { type: 'integer', minimum: 0 }, true), query('treeSize', 'tree size; default that of the latest signed head', { type: 'integer', minimum: 0 })],
          responses: { '200': ok('inclusion proof', { type: 'object', properties: { entry: { type: 'integer' }, leafIndex: { type: 'integer' }, treeSize: { type: 'integer' }, leafHash: { type: 'string' }, auditPath: { type: 'array', items: { type: 'string' } }, rootHash: { type: 'string' } } }) },
        },
        ['400', '403', '404'],
      ),
    ],
    [
      '/audit/proof/consistency',
      'get',
      secured(
        {
          tags: ['audit'],
          summary: 'Proof that a later tree extends an earlier one (RFC 6962)',
          parameters: [query('from', 'size of the earlier tree', { type: 'integer', minimum: 0 }, true), query('to', 'size of the later tree', { type: 'integer', minimum: 0 }, true)],
          responses: { '200': ok('consistency proof', { type: 'object', properties: { firstSize: { type: 'integer' }, secondSize: { type: 'integer' }, consistencyPath: { type: 'array', items: { type: 'string' } }, firstRootHash: { type: 'string' }, secondRootHash: { type: 'string' } } }) },
        },
        ['400', '403', '404'],
      ),
    ],
    [
      '/notifications',
      'post',
      secured(
        {
          tags: ['police'],
          summary: 'Submit a police notification (role police-submitter, for the caller\'s own force)',
          description:
            'Re-sending the same force and reference updates the notification: an identical retry answers 200 with the same receipt; a changed one answers 200 with the version incremented. ' +
            'A body that breaks a rule is answered 422 with an OperationOutcome naming every bad field; nothing is stored.',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref('NotificationSubmission') },
              'application/xml': { schema: { type: 'string', description: 'the same notification as XML, with the same field names' } },
            },
          },
          responses: { '201': ok('received and routed (new notification)', ref('NotificationReceipt')), '200': ok('identical retry (same receipt) or changed re-submission (version incremented)', ref('NotificationReceipt')) },
        },
        ['400', '403', '409', '413', '415', '422'],
      ),
    ],
    [
      '/notifications',
      'get',
      secured(
        {
          tags: ['police'],
          summary: "The receipts of the caller's force, received or updated since a time (oldest change first)",
          parameters: [query('since', 'a date (YYYY-MM-DD) or an ISO 8601 date-time with offset; all when absent', { type: 'string' }), count(100, 1000)],
          responses: { '200': ok('receipts', { type: 'object', required: ['notifications'], properties: { notifications: { type: 'array', items: ref('NotificationReceipt') } } }) },
        },
        ['400', '403'],
      ),
    ],
    ['/notifications/{id}', 'get', secured({ tags: ['police'], summary: 'A receipt with its routing status (submitting force only)', parameters: [idParam('notification id')], responses: { '200': ok('the receipt', ref('NotificationReceipt')) } }, ['403', '404'])],
    [
      '/alerts',
      'get',
      secured(
        { tags: ['alerts'], summary: "Alerts addressed to the caller's agency", parameters: [query('status', 'filter by status', { type: 'string', enum: ['open', 'acknowledged', 'closed'] }), count(50, 500)], responses: { '200': ok('alerts', { type: 'object', required: ['alerts'], properties: { alerts: { type: 'array', items: ref('Alert') } } }) } },
        ['400', '403'],
      ),
    ],
    ['/alerts/{id}', 'get', secured({ tags: ['alerts'], summary: 'One alert, with its reasons', parameters: [idParam('alert id')], responses: { '200': ok('the alert', ref('Alert')) } }, ['403', '404'])],
    ['/alerts/{id}/acknowledge', 'post', secured({ tags: ['alerts'], summary: 'Acknowledge an alert', parameters: [idParam('alert id')], responses: { '200': ok('the alert, acknowledged', ref('Alert')) } }, ['403', '404', '409'])],
    [
      '/alerts/{id}/close',
      'post',
      secured(
        { tags: ['alerts'], summary: 'Close an alert, saying why', parameters: [idParam('alert id')], requestBody: jsonObjectBody({ type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } }), responses: { '200': ok('the alert, closed', ref('Alert')) } },
        ['400', '403', '404', '409'],
      ),
    ],
  ];
}

/** The OpenAPI 3.1 document for the gateway at `baseUrl`, version `version`. */
export function openApiDocument(baseUrl: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, method, op] of operations()) {
    const operationId = `${method}${path.replace(/\{id\}/g, 'ById').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`;
    (paths[path] ??= {})[method] = { operationId, ...op };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Safeguarding Gateway (non-FHIR API)',
      version,
      description: 'The JSON endpoints of the gateway. The FHIR R4 endpoints under /fhir are described by GET /fhir/metadata (CapabilityStatement). Every error is a FHIR OperationOutcome with a GW_ERR_* code.',
    },
    servers: [{ url: baseUrl }],
    security: [{ bearerJwt: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            `A JWT signed by a key configured for the caller's agency, with claims sub (user), agency (agency id such as la:383), ` +
            `role (${Object.keys(ROLES).join(', ')}) and purpose_of_use (${knownPurposeClaims().join(', ')}).`,
        },
      },
      schemas: {
        NotificationSubmission: notificationJsonSchema(),
        NotificationReceipt: RECEIPT,
        Alert: ALERT,
        WebhookDelivery: WEBHOOK_DELIVERY,
        OperationOutcomeIssue: OPERATION_OUTCOME_ISSUE,
        OperationOutcome: { type: 'object', required: ['resourceType', 'issue'], properties: { resourceType: { const: 'OperationOutcome' }, issue: { type: 'array', items: ref('OperationOutcomeIssue') } } },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([status, name]) => [name, errorResponse(Number(status), name.replace(/([a-z])([A-Z])/g, '$1 $2'))]),
      ),
    },
  };
}
