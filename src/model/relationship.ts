import { z } from 'zod';
import { LineageSchema } from './lineage.js';
import { HumanNameSchema } from './person.js';
import { ProvenanceSchema, SecurityLabelSchema } from './provenance.js';

export const RELATIONSHIP_ROLES = ['mother', 'father', 'parent', 'carer', 'guardian', 'sibling', 'household-member', 'alleged-perpetrator', 'emergency-contact', 'other'] as const;

/**
 * A person related to a subject (HL7 v2 NK1, FHIR RelatedPerson). The related person
 * is described as sent; they join the person index only when they carry an identifier.
 */
export const RelationshipSchema = z.object({
  id: z.string(),
  subjectPersonId: z.string(),
  role: z.enum(RELATIONSHIP_ROLES),
  /** The sender's code for the relationship, kept as sent (v2 table 0063, v3 RoleCode). */
  roleCode: z.string().optional(),
  relatedPersonId: z.string().optional(),
  relatedName: HumanNameSchema.optional(),
  relatedPhone: z.string().optional(),
  owner: z.string(),
  provenance: ProvenanceSchema,
  securityLabel: SecurityLabelSchema.default('N'),
  lineage: LineageSchema,
});
export type Relationship = z.infer<typeof RelationshipSchema>;
