import { z } from 'zod';
import { NotificationSubmissionSchema } from '../model/police-notification.js';
import { POLICE_FORCE_CODES } from '../model/police-forces.js';

/** A JSON Schema as a plain object tree. */
export type JsonSchema = Record<string, unknown>;

/** Where the published schema lives, below the gateway's public base URL. */
export const NOTIFICATION_SCHEMA_PATH = '/schemas/police-notification.json';

/** The rules the zod schema checks that the JSON Schema does not carry; clients meet them as 422s. */
const NOT_EXPRESSED = [
  "each person's ref is unique within the submission",
  'no birthDate is after occurredAt',
  'nhsNumber has a valid Modulus 11 check digit',
  'birthDate and the date of occurredAt are real calendar days (no 30 February)',
  'reference is trimmed of surrounding spaces before its length is checked',
];

function object(tree: unknown): JsonSchema {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) throw new Error('expected a JSON Schema object');
  return tree as JsonSchema;
}

function property(schema: JsonSchema, name: string): JsonSchema {
  return object(object(schema.properties)[name]);
}

/** A person with the role subject-child. */
const IS_SUBJECT_CHILD: JsonSchema = { properties: { roles: { contains: { const: 'subject-child' } } }, required: ['roles'] };

/** A location (incident or address) needs lines, a postcode, a UPRN or a description. */
function locationNeedsOne(location: JsonSchema): void {
  location.anyOf = [{ required: ['lines'], properties: { lines: { minItems: 1 } } }, { required: ['postcode'] }, { required: ['uprn'] }, { required: ['description'] }];
}

/**
 * The JSON Schema (draft 2020-12) of a police notification submission, generated from the
 * zod schema that `POST /notifications` checks with (as input: defaults make fields
 * optional). zod refinements do not survive generation; those that JSON Schema can say
 * (force codes, one-of-these-fields, rules by type) are put back here, and the description
 * lists the rest, so a schema-valid body can still get a 422 for them.
 */
export function notificationJsonSchema(): JsonSchema {
  const schema = object(z.toJSONSchema(NotificationSubmissionSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }));
  delete schema.$schema;

  const force = property(schema, 'force');
  force.enum = [...POLICE_FORCE_CODES];
  force.description = 'ONS police force area code of one of the 43 territorial forces of England and Wales';
  property(schema, 'reference').description = 'the force reference (occurrence number or URN)';
  locationNeedsOne(property(schema, 'location'));

  const person = object(property(schema, 'persons').items);
  property(person, 'birthDate').format = 'date';
  property(person, 'nhsNumber').pattern = '^[\\s-]*(?:[0-9][\\s-]*){10}$';
  property(person, 'nhsNumber').description = 'NHS number (10 digits, spaces or hyphens allowed) with a valid Modulus 11 check digit';
  property(person, 'name').anyOf = [{ required: ['given'], properties: { given: { minItems: 1 } } }, { required: ['family'] }];
  locationNeedsOne(property(person, 'address'));
  property(schema, 'persons').contains = IS_SUBJECT_CHILD;
  person.allOf = [{ if: IS_SUBJECT_CHILD, then: { anyOf: [{ required: ['birthDate'] }, { required: ['estimatedAge'] }], properties: { estimatedAge: { maximum: 17 } } } }];

  property(schema, 'officer').anyOf = [{ required: ['collarNumber'] }, { required: ['id'] }];
  schema.allOf = [
    { if: { properties: { type: { const: 'domestic-abuse' } }, required: ['type'] }, then: { required: ['riskGrade'] } },
    {
      if: { properties: { type: { const: 'encompass' } }, required: ['type'] },
      then: { required: ['circumstances'], properties: { persons: { items: { if: IS_SUBJECT_CHILD, then: { required: ['school', 'present'] } } } } },
    },
  ];
  return schema;
}

/**
 * The published document: the schema with its `$schema`, `$id`, `title` and a description
 * saying which rules it leaves out. `baseUrl` is the gateway's public base URL.
 */
export function publishedNotificationSchema(baseUrl: string): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${baseUrl}${NOTIFICATION_SCHEMA_PATH}`,
    title: 'Police notification submission (POST /notifications)',
    description:
      'The JSON body a police force sends to POST /notifications (the XML form maps to the same fields). ' +
      'Generated from the gateway\'s own validation schema. Rules the gateway also checks but this schema ' +
      `does not express (a body that breaks one is answered 422 naming the field): ${NOT_EXPRESSED.join('; ')}.`,
    ...notificationJsonSchema(),
  };
}
