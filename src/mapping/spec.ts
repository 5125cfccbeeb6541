import { z } from 'zod';

/**
 * The canonical record types a mapping can produce. `PoliceNotificationSubmission` is not a
 * stored record: it is the body of `POST /notifications` (NotificationSubmissionSchema), which
 * the XML form of a notification is mapped to before the same validation as the JSON form.
 */
export const RECORD_TYPES = ['Person', 'ProtectionPlan', 'Attendance', 'CaseEvent', 'Relationship', 'Consent', 'PoliceNotificationSubmission'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** Named value conversions a rule may apply (see transforms.ts). */
export const TRANSFORMS = ['hl7-date', 'hl7-datetime', 'fhir-date', 'fhir-datetime', 'date', 'datetime', 'dmy-date', 'upper', 'postcode', 'nhs-number', 'boolean', 'integer'] as const;
export type TransformName = (typeof TRANSFORMS)[number];

const TARGET = /^[A-Za-z][A-Za-z0-9_]*(\[[A-Za-z0-9+-]*\])?(\.[A-Za-z][A-Za-z0-9_]*(\[[A-Za-z0-9+-]*\])?)*$/;

export interface FieldRuleSpec {
  id: string;
  source?: string | undefined;
  value?: string | number | boolean | undefined;
  target?: string | undefined;
  conceptMap?: string | undefined;
  transform?: TransformName | undefined;
  required?: boolean | undefined;
  default?: string | number | boolean | undefined;
  when?: string | undefined;
  all?: boolean | undefined;
  reads?: string[] | undefined;
  ref?: string | undefined;
  by?: string | undefined;
  each?: string | undefined;
  fields?: FieldRuleSpec[] | undefined;
}

/**
 * One rule: where a value comes from (`source`, a FHIRPath expression evaluated on the
 * current item, or a constant `value`), how it is translated (`conceptMap`, `transform`)
 * and which canonical field it fills (`target`, e.g. `identifiers[nhs].value`; `[]`
 * appends every value, `[+]` opens a new element per item of a group). A group rule has
 * `each` and its own `fields`, evaluated once per item. A `ref` rule points the target at
 * another record of the same message (an enclosing record, or one found `by` a local id).
 */
export const FieldRuleSchema: z.ZodType<FieldRuleSpec> = z.lazy(() =>
  z
    .object({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are lower-case words joined by hyphens'),
      source: z.string().min(1).optional(),
      value: z.union([z.string(), z.number(), z.boolean()]).optional(),
      target: z.string().regex(TARGET, 'a target is a canonical field path such as identifiers[nhs].value or names[official].given[]').optional(),
      conceptMap: z.string().min(1).optional(),
      transform: z.enum(TRANSFORMS).optional(),
      required: z.boolean().optional(),
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      when: z.string().min(1).optional(),
      all: z.boolean().optional(),
      reads: z.array(z.string().min(1)).optional(),
      ref: z.string().min(1).optional(),
      by: z.string().min(1).optional(),
      each: z.string().min(1).optional(),
      fields: z.array(FieldRuleSchema).optional(),
    })
    .strict()
    .superRefine((r, ctx) => {
      const kinds = [r.source !== undefined, r.value !== undefined, r.ref !== undefined, r.each !== undefined].filter(Boolean).length;
      if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'a rule has exactly one of source, value, ref or each' });
      if (r.each !== undefined && !r.fields?.length) ctx.addIssue({ code: 'custom', message: 'a rule with each needs fields', path: ['fields'] });
      if (r.each === undefined && r.fields !== undefined) ctx.addIssue({ code: 'custom', message: 'fields belong only to a rule with each', path: ['fields'] });
      if (r.target === undefined) ctx.addIssue({ code: 'custom', message: 'a rule needs a target', path: ['target'] });
      if (r.by !== undefined && r.ref === undefined) ctx.addIssue({ code: 'custom', message: 'by is used only with ref', path: ['by'] });
    }),
);

export interface RecordBlockSpec {
  name: string;
  type: RecordType;
  each?: string | undefined;
  when?: string | undefined;
  key?: string[] | undefined;
  localId?: string | undefined;
  fields: FieldRuleSpec[];
  records?: RecordBlockSpec[] | undefined;
}

/**
 * A block produces one canonical record per item of `each` (or one for the whole
 * message). `key` lists the source identifiers hashed into the record's deterministic id,
 * so a re-sent message updates rather than duplicates. Blocks nest: an inner block's
 * `each` is relative to the outer item, and its rules can `ref` the outer record.
 */
export const RecordBlockSchema: z.ZodType<RecordBlockSpec> = z.lazy(() =>
  z
    .object({
      name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'block names are camelCase words'),
      type: z.enum(RECORD_TYPES),
      each: z.string().min(1).optional(),
      when: z.string().min(1).optional(),
      key: z.array(z.string().min(1)).min(1).optional(),
      localId: z.string().min(1).optional(),
      fields: z.array(FieldRuleSchema).min(1),
      records: z.array(RecordBlockSchema).optional(),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.type !== 'Person' && b.type !== 'PoliceNotificationSubmission' && b.key === undefined) ctx.addIssue({ code: 'custom', message: `a ${b.type} block needs a key (the source ids that make its deterministic id)`, path: ['key'] });
    }),
);

export const MappingSpecSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'a mapping version is semantic: MAJOR.MINOR.PATCH'),
    sourceSpec: z.string().min(1),
    format: z.enum(['fhir-r4-json', 'fhir-r4-xml', 'hl7v2', 'cin-census-xml', 'ssda903-csv', 'ssda903-xml', 'cpis-csv', 'police-xml']).or(z.literal('fhir-r4')),
    description: z.string().optional(),
    /** Source paths (type paths, no indexes) this mapping reads or deliberately ignores, beyond those its rules name. */
    consumes: z.array(z.string().min(1)).default([]),
    ignores: z.array(z.string().min(1)).default([]),
    records: z.array(RecordBlockSchema).min(1),
  })
  .strict();
export type MappingSpec = z.infer<typeof MappingSpecSchema>;
