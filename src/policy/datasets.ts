/**
 * The canonical record types a sharing agreement can name, and the fields of each that an
 * agreement may release. Agreements are checked against this list at start-up, so a
 * misspelt field stops the gateway rather than silently releasing nothing (or everything).
 *
 * Structural fields (the record's id, its subject, its owner and its confidentiality label)
 * always travel with a released record: without them a recipient cannot tell what it was
 * given or whose it is. Everything else must be named.
 */
export const DATASETS = {
  Person: ['identifiers', 'names', 'birthDate', 'expectedBirthDate', 'sex', 'addresses', 'deathDate', 'ethnicCategory'],
  ProtectionPlan: ['kind', 'period', 'status', 'categoryOfAbuse', 'sourceIdentifiers', 'provenance'],
  CaseEvent: ['kind', 'date', 'endDate', 'codes', 'provenance'],
  Attendance: ['encounterClass', 'status', 'organisation', 'location', 'visitNumber', 'event', 'arrival', 'departure', 'provenance'],
  Relationship: ['role', 'roleCode', 'relatedPersonId', 'relatedName', 'relatedPhone', 'provenance'],
  Consent: ['state', 'notSoughtReason', 'scope', 'categories', 'purposes', 'period', 'recordedAt', 'recordedBy', 'provenance'],
  PoliceNotification: [
    'force',
    'reference',
    'type',
    'occurredAt',
    'location',
    'persons',
    'riskGrade',
    'officer',
    'narrative',
    'voiceOfChild',
    'actionsTaken',
    'familyTold',
    'circumstances',
    'provenance',
  ],
  Communication: ['category', 'sent', 'payload', 'sender', 'about'],
} as const satisfies Record<string, readonly string[]>;

export type RecordType = keyof typeof DATASETS;
export const RECORD_TYPES = Object.keys(DATASETS) as RecordType[];

/** Fields every released record keeps, whatever the agreement names. */
export const STRUCTURAL_FIELDS = ['id', 'subjectPersonId', 'owner', 'securityLabel'] as const;

/**
 * Fields that locate a person. Identity protection withholds them from a requester linked
 * to an alleged perpetrator's household whatever an agreement permits.
 */
export const LOCATING_FIELDS: Readonly<Partial<Record<RecordType, readonly string[]>>> = {
  Person: ['addresses'],
  Attendance: ['location'],
  PoliceNotification: ['location'],
  Relationship: ['relatedPhone'],
};

/**
 * Fields whose parts can be named one by one, as `field.part`: a CaseEvent's codes are
 * keyed by the element the return published them under (`codes.LatestCategoryOfAbuse`).
 */
export const KEYED_FIELDS: Readonly<Partial<Record<RecordType, readonly string[]>>> = {
  CaseEvent: ['codes'],
};

export function isRecordType(value: string): value is RecordType {
  return Object.hasOwn(DATASETS, value);
}

/** Null when `field` is a releasable field of the type (or `*`, or a keyed part such as `codes.X`), else what was expected. */
export function fieldProblem(type: RecordType, field: string): string | null {
  if (field === '*') return null;
  const fields: readonly string[] = DATASETS[type];
  if (fields.includes(field)) return null;
  const dot = field.indexOf('.');
  if (dot > 0) {
    const head = field.slice(0, dot);
    const keyed: readonly string[] = KEYED_FIELDS[type] ?? [];
    if (keyed.includes(head) && /^[A-Za-z0-9_-]+$/.test(field.slice(dot + 1))) return null;
  }
  const keyedHint = (KEYED_FIELDS[type] ?? []).map((k) => `${k}.<name>`);
  return `'${field}' is not a field of ${type}; expected * or one of ${[...fields, ...keyedHint].join(', ')}`;
}
