import { z } from 'zod';
import { VerificationStatusSchema } from './nhs-number.js';
import { LineageSchema } from './lineage.js';
import { IsoDateSchema, ProvenanceSchema, SecurityLabelSchema } from './provenance.js';

export const IdentifierSchema = z.object({
  system: z.string().min(1),
  value: z.string().min(1),
  /** NHS number verification status 01–08, for NHS numbers only. */
  verificationStatus: VerificationStatusSchema.optional(),
});
export type Identifier = z.infer<typeof IdentifierSchema>;

export const HumanNameSchema = z.object({
  use: z.enum(['official', 'usual', 'nickname', 'maiden', 'old']).optional(),
  given: z.array(z.string().min(1)).default([]),
  family: z.string().min(1).optional(),
});

export const AddressSchema = z.object({
  lines: z.array(z.string()).default([]),
  city: z.string().optional(),
  postcode: z.string().optional(),
  uprn: z.string().regex(/^\d{1,12}$/).optional(),
  /** A refuge or confidential placement: never released to anyone linked to an alleged perpetrator. */
  confidential: z.boolean().optional(),
  period: z.object({ start: IsoDateSchema.optional(), end: IsoDateSchema.optional() }).optional(),
});

/** A person in the person index: a child, a parent, a pregnant mother, a household member. */
export const PersonSchema = z.object({
  id: z.string(),
  identifiers: z.array(IdentifierSchema).min(1),
  names: z.array(HumanNameSchema).default([]),
  birthDate: IsoDateSchema.optional(),
  expectedBirthDate: IsoDateSchema.optional(),
  sex: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  addresses: z.array(AddressSchema).default([]),
  deathDate: IsoDateSchema.optional(),
  /** UK Core ethnic category (England), A–Z or 99. */
  ethnicCategory: z.string().regex(/^([A-HJ-NPRSZ]|99)$/).optional(),
  owner: z.string(),
  provenance: ProvenanceSchema,
  securityLabel: SecurityLabelSchema.default('N'),
  lineage: LineageSchema.optional(),
});
export type Person = z.infer<typeof PersonSchema>;
