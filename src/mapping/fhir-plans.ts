import type { GatewayIssue } from '../errors/gateway-error.js';
import { isIsoCalendarDate, isIsoDateTime } from '../model/dates.js';
import { agencyIdFromOrganization } from '../fhir/organization.js';
import { agencyIdProblem } from '../model/agency.js';
import type { VerificationStatus } from '../model/nhs-number.js';
import { checkNhsNumber, VERIFICATION_STATUSES } from '../model/nhs-number.js';
import type { Identifier, Person } from '../model/person.js';
import type { PlanKind } from '../model/protection-plan.js';
import { PLAN_KINDS, planKindForCode } from '../model/protection-plan.js';
import type { SecurityLabel } from '../model/provenance.js';
import {
  AGENCY_ID_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  DFE_LA_CODE_SYSTEM,
  NHS_NUMBER_SYSTEM,
  NHS_NUMBER_VERIFICATION_EXTENSION,
  normaliseSystem,
  SNOMED_SYSTEM,
} from '../model/systems.js';

/** A plan as the sender described it, before the person index and the owner checks. */
export interface PlanDraft {
  kind: PlanKind;
  nhsNumber: string;
  /** Verification status the sender gave for the NHS number, if any. */
  verificationStatus?: VerificationStatus | undefined;
  periodStart: string;
  periodEnd?: string | undefined;
  enteredInError: boolean;
  /** Managing organisation the sender named (agency id), if any. */
  owner?: string | undefined;
  sourceIdentifiers: Identifier[];
  securityLabel: SecurityLabel;
  /** Demographics from a Patient resource sent with the plan. */
  person?: Omit<Person, 'id' | 'owner' | 'provenance' | 'securityLabel'> | undefined;
}

export type Mapped<T> = { ok: true; value: T } | { ok: false; issues: GatewayIssue[] };

const CARE_TEAM_STATUSES = ['proposed', 'active', 'suspended', 'inactive', 'entered-in-error'];
const DATE = /^(\d{4}-\d{2}-\d{2})(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/;

function error(code: string, path: string, diagnostics: string): GatewayIssue {
  return { severity: 'error', code, expression: [path], diagnostics };
}


/** Takes the date part of a FHIR date (or, unless `dateOnly`, dateTime), or reports why it is not one. */
function readDate(value: unknown, path: string, issues: GatewayIssue[], dateOnly = false): string | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m?.[1] || !isIsoCalendarDate(m[1]) || (m[2] !== undefined && (dateOnly || !isIsoDateTime(value as string)))) {
    const expected = dateOnly ? 'a FHIR date: a real day written YYYY-MM-DD' : 'a date as YYYY-MM-DD (or a FHIR dateTime: a real day, a time from 00:00 to 23:59:59 and its offset)';
    issues.push(error('value', path, `expected ${expected}, received ${JSON.stringify(value)}`));
    return undefined;
  }
  return m[1];
}

/** Reads the UK Core NHS number verification status extension of an identifier. */
function readVerification(identifier: fhir4.Identifier, path: string, issues: GatewayIssue[]): VerificationStatus | undefined {
  const ext = identifier.extension?.find((e) => e.url === NHS_NUMBER_VERIFICATION_EXTENSION);
  if (!ext) return undefined;
  const code = ext.valueCodeableConcept?.coding?.[0]?.code;
  if (code && Object.hasOwn(VERIFICATION_STATUSES, code)) return code as VerificationStatus;
  issues.push(error('code-invalid', `${path}.extension('NHSNumberVerificationStatus').valueCodeableConcept`, `expected an NHS number verification status 01–08, received ${JSON.stringify(code ?? null)}`));
  return undefined;
}

/** Reads a valid NHS number from an identifier whose system is (or was, legacy) the NHS number system. */
function readNhsIdentifier(identifier: fhir4.Identifier, path: string, issues: GatewayIssue[]): { value: string; status?: VerificationStatus | undefined } | undefined {
  const check = checkNhsNumber(identifier.value ?? '');
  if (!identifier.value) {
    issues.push(error('required', `${path}.value`, 'an identifier with the NHS number system must have a value'));
    return undefined;
  }
  if (!check.valid) {
    issues.push(error('value', `${path}.value`, `invalid NHS number (rule: ${check.rule}): ${check.message}`));
    return undefined;
  }
  return { value: check.value, status: readVerification(identifier, path, issues) };
}

function isNhsSystem(system: string | undefined): boolean {
  return system !== undefined && normaliseSystem(system) === NHS_NUMBER_SYSTEM;
}

/** Maps an Organization reference (by id `la-383`, agency identifier or DfE LA number) to an agency id. */
function readOwner(ref: fhir4.Reference, path: string, issues: GatewayIssue[]): string | undefined {
  let id: string | undefined;
  if (ref.identifier?.system === AGENCY_ID_SYSTEM) id = ref.identifier.value;
  else if (ref.identifier?.system === DFE_LA_CODE_SYSTEM) id = `la:${ref.identifier.value ?? ''}`;
  else if (ref.reference?.startsWith('Organization/')) id = agencyIdFromOrganization(ref.reference);
  if (!id) {
    issues.push(error('required', path, `expected a reference Organization/la-NNN or an identifier with system ${AGENCY_ID_SYSTEM} or ${DFE_LA_CODE_SYSTEM}`));
    return undefined;
  }
  const problem = agencyIdProblem(id);
  if (problem) {
    issues.push(error('value', path, `managing organisation '${id}': ${problem}`));
    return undefined;
  }
  return id;
}

function readSecurityLabel(meta: fhir4.Meta | undefined, path: string, issues: GatewayIssue[]): SecurityLabel {
  const label = meta?.security?.find((c) => c.system === CONFIDENTIALITY_SYSTEM)?.code;
  if (label === undefined || ['U', 'L', 'M', 'N'].includes(label)) return 'N';
  if (label === 'R' || label === 'V') return label;
  issues.push(error('code-invalid', `${path}.meta.security`, `expected a v3-Confidentiality code U, L, M, N, R or V, received ${JSON.stringify(label)}`));
  return 'N';
}

/** Maps a UK Core Patient to the person fields the index keeps. */
export function mapPatient(patient: fhir4.Patient, path: string): Mapped<{ nhsNumber: string; status?: VerificationStatus | undefined; person: NonNullable<PlanDraft['person']> }> {
  const issues: GatewayIssue[] = [];
  const nhsIds = (patient.identifier ?? []).map((identifier, i) => ({ identifier, i })).filter(({ identifier }) => isNhsSystem(identifier.system));
  if (nhsIds.length === 0) issues.push(error('required', `${path}.identifier`, `expected one identifier with system ${NHS_NUMBER_SYSTEM}`));
  if (nhsIds.length > 1) issues.push(error('structure', `${path}.identifier`, 'UK Core allows at most one NHS number identifier'));
  const first = nhsIds[0];
  const nhs = first ? readNhsIdentifier(first.identifier, `${path}.identifier[${first.i}]`, issues) : undefined;
  const birthDate = readDate(patient.birthDate, `${path}.birthDate`, issues, true);
  const deathDate = readDate(patient.deceasedDateTime, `${path}.deceasedDateTime`, issues);
  const gender = patient.gender;
  if (gender !== undefined && !['male', 'female', 'other', 'unknown'].includes(gender)) {
    issues.push(error('code-invalid', `${path}.gender`, `expected male, female, other or unknown, received ${JSON.stringify(gender)}`));
  }
  if (issues.length > 0 || !nhs) return { ok: false, issues };
  return {
    ok: true,
    value: {
      nhsNumber: nhs.value,
      status: nhs.status,
      person: {
        identifiers: [{ system: NHS_NUMBER_SYSTEM, value: nhs.value, ...(nhs.status ? { verificationStatus: nhs.status } : {}) }],
        names: (patient.name ?? []).map((n) => ({
          ...(n.use && ['official', 'usual', 'nickname', 'maiden', 'old'].includes(n.use) ? { use: n.use as 'official' } : {}),
          given: (n.given ?? []).filter((g) => g.trim().length > 0),
          ...(n.family ? { family: n.family } : {}),
        })),
        ...(birthDate ? { birthDate } : {}),
        ...(deathDate ? { deathDate } : {}),
        ...(gender ? { sex: gender } : {}),
        addresses: (patient.address ?? []).map((a) => ({
          lines: a.line ?? [],
          ...(a.city ? { city: a.city } : {}),
          ...(a.postalCode ? { postcode: a.postalCode.toUpperCase() } : {}),
        })),
      },
    },
  };
}

/**
 * Maps a CP-IS style CareTeam (with its subject Patient, when one was sent) to a plan
 * draft. Every problem is collected and named by its path; nothing is half-mapped.
 */
export function mapCareTeam(careTeam: fhir4.CareTeam, path: string, subjectPatient?: { resource: fhir4.Patient; path: string }): Mapped<PlanDraft> {
  const issues: GatewayIssue[] = [];

  const codings = (careTeam.category ?? []).flatMap((c) => c.coding ?? []);
  const kinds = [...new Set(codings.filter((c) => c.system === SNOMED_SYSTEM && c.code).map((c) => planKindForCode(c.code ?? '')).filter((k) => k !== undefined))];
  if (kinds.length !== 1) {
    const allowed = Object.values(PLAN_KINDS).map((k) => `${k.code} (${k.display})`).join(', ');
    issues.push(error(kinds.length === 0 ? 'code-invalid' : 'business-rule', `${path}.category`, `expected exactly one England-ChildProtectionPlan code from ${SNOMED_SYSTEM}: ${allowed}`));
  }

  if (careTeam.status !== undefined && !CARE_TEAM_STATUSES.includes(careTeam.status)) {
    issues.push(error('code-invalid', `${path}.status`, `expected one of ${CARE_TEAM_STATUSES.join(', ')}, received ${JSON.stringify(careTeam.status)}`));
  }

  const periodStart = readDate(careTeam.period?.start, `${path}.period.start`, issues);
  if (careTeam.period?.start === undefined) issues.push(error('required', `${path}.period.start`, 'a plan needs its start date'));
  const periodEnd = readDate(careTeam.period?.end, `${path}.period.end`, issues);
  if (periodStart && periodEnd && periodEnd < periodStart) {
    issues.push(error('business-rule', `${path}.period.end`, `the plan cannot end (${periodEnd}) before it starts (${periodStart})`));
  }

  let nhsNumber: string | undefined;
  let verificationStatus: VerificationStatus | undefined;
  let person: PlanDraft['person'];
  if (subjectPatient) {
    const mapped = mapPatient(subjectPatient.resource, subjectPatient.path);
    if (mapped.ok) ({ nhsNumber, status: verificationStatus, person } = mapped.value);
    else issues.push(...mapped.issues);
  } else if (careTeam.subject?.identifier) {
    const ident = careTeam.subject.identifier;
    if (!isNhsSystem(ident.system)) {
      issues.push(error('value', `${path}.subject.identifier.system`, `expected ${NHS_NUMBER_SYSTEM}, received ${JSON.stringify(ident.system ?? null)}`));
    } else {
      const nhs = readNhsIdentifier(ident, `${path}.subject.identifier`, issues);
      nhsNumber = nhs?.value;
      verificationStatus = nhs?.status;
    }
  } else if (careTeam.subject?.reference) {
    issues.push(error('not-found', `${path}.subject.reference`, `the reference ${JSON.stringify(careTeam.subject.reference)} does not resolve to a Patient in this Bundle; send the Patient in the same transaction or put the NHS number in subject.identifier`));
  } else {
    issues.push(error('required', `${path}.subject`, 'a plan needs its subject: the child, or the mother for an unborn-child plan, by NHS number'));
  }

  const managing = careTeam.managingOrganization ?? [];
  if (managing.length > 1) issues.push(error('structure', `${path}.managingOrganization`, 'a plan has exactly one owning local authority'));
  const owner = managing[0] ? readOwner(managing[0], `${path}.managingOrganization[0]`, issues) : undefined;
  if (owner !== undefined && !owner.startsWith('la:')) {
    issues.push(error('business-rule', `${path}.managingOrganization[0]`, `the owner of a protection plan is a local authority (la:NNN), not ${owner}`));
  }

  const sourceIdentifiers: Identifier[] = [];
  (careTeam.identifier ?? []).forEach((ident, i) => {
    if (!ident.system || !ident.value) issues.push(error('required', `${path}.identifier[${i}]`, 'a plan identifier needs both system and value'));
    else sourceIdentifiers.push({ system: normaliseSystem(ident.system), value: ident.value });
  });

  const securityLabel = readSecurityLabel(careTeam.meta, path, issues);

  if (issues.length > 0 || !kinds[0] || !periodStart || !nhsNumber) return { ok: false, issues };
  return {
    ok: true,
    value: {
      kind: kinds[0],
      nhsNumber,
      verificationStatus,
      periodStart,
      periodEnd,
      enteredInError: careTeam.status === 'entered-in-error',
      owner,
      sourceIdentifiers,
      securityLabel,
      person,
    },
  };
}
