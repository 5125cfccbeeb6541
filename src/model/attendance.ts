import { z } from 'zod';
import { LineageSchema } from './lineage.js';
import { ProvenanceSchema, SecurityLabelSchema } from './provenance.js';

/** FHIR Encounter.status values an attendance may have. */
export const ATTENDANCE_STATUSES = ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled', 'entered-in-error', 'unknown'] as const;

/**
 * An attendance at a health setting (from HL7 v2 ADT PV1, or a FHIR Encounter).
 * `encounterClass` is the v3-ActEncounterCode (EMER for emergency, IMP inpatient, AMB
 * ambulatory, PRENC pre-admission); unscheduled care is EMER.
 */
export const AttendanceSchema = z.object({
  id: z.string(),
  subjectPersonId: z.string(),
  encounterClass: z.string().min(1),
  status: z.enum(ATTENDANCE_STATUSES),
  /** ODS code of the organisation the patient attended. */
  organisation: z.string().min(1).optional(),
  location: z.string().min(1).optional(),
  visitNumber: z.string().min(1).optional(),
  /** The sender's trigger event (ADT A04…) or resource type, kept as sent. */
  event: z.string().min(1).optional(),
  arrival: z.iso.datetime({ offset: true }).optional(),
  departure: z.iso.datetime({ offset: true }).optional(),
  owner: z.string(),
  provenance: ProvenanceSchema,
  securityLabel: SecurityLabelSchema.default('N'),
  lineage: LineageSchema,
});
export type Attendance = z.infer<typeof AttendanceSchema>;
