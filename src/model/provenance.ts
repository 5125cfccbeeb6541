import { z } from 'zod';

/** Where a canonical record came from: the sending agency, the wire format and the mapping used. */
export const ProvenanceSchema = z.object({
  agency: z.string(),
  format: z.enum(['fhir-r4-json', 'fhir-r4-xml', 'hl7v2', 'cin-census-xml', 'ssda903-csv', 'ssda903-xml', 'cpis-csv', 'police-json', 'police-xml', 'config']),
  messageId: z.string().optional(),
  receivedAt: z.iso.datetime({ offset: true }),
  mapping: z.string().optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** FHIR confidentiality (v3-Confidentiality): N normal, R restricted, V very restricted. */
export const SecurityLabelSchema = z.enum(['N', 'R', 'V']);
export type SecurityLabel = z.infer<typeof SecurityLabelSchema>;

export const IsoDateSchema = z.iso.date();
