/**
 * Every combination of (requesting agency and its type × role × purpose × consent state ×
 * confidentiality label) for the CP-IS query, a person read and a police notification read,
 * decided with the demo agreements in config/agreements exactly as the services decide
 * (token role check, action grant, then the sharing engine), and compared with the
 * expected decision written out below by hand from the agreements' text. Anything not
 * listed as permitted must be denied.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgencies } from '../../src/config/agencies.js';
import { loadAgreements } from '../../src/config/agreements.js';
import type { AgencyType } from '../../src/model/agency.js';
import type { SecurityLabel } from '../../src/model/provenance.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { Action } from '../../src/policy/authorise.js';
import { authorise } from '../../src/policy/authorise.js';
import type { RecordType } from '../../src/policy/datasets.js';
import type { ConsentInput } from '../../src/policy/decide.js';
import { decide } from '../../src/policy/decide.js';
import type { Purpose } from '../../src/policy/purposes.js';
import { PURPOSES } from '../../src/policy/purposes.js';
import type { Role } from '../../src/policy/roles.js';
import { ROLES, roleProblem } from '../../src/policy/roles.js';

const configDir = path.join(PACKAGE_ROOT, 'config');
const { agencies } = loadAgencies(configDir);
const { agreements } = loadAgreements(configDir, agencies, '2026-12-07');

/** One agency of each type; for local authority and health, the owner's partner and a stranger. */
const REQUESTERS: { id: string; type: AgencyType }[] = [
  { id: 'la:383', type: 'local-authority' },
  { id: 'la:201', type: 'local-authority' },
  { id: 'ods:RR8', type: 'health' },
  { id: 'ods:RYJ', type: 'health' },
  { id: 'police:E23000010', type: 'police' },
  { id: 'school:100000', type: 'school' },
  { id: 'org:dpo-service', type: 'other' },
];
const ROLE_NAMES = Object.keys(ROLES) as Role[];
const CONSENTS: { name: string; input: ConsentInput | null }[] = [
  { name: 'none', input: null },
  { name: 'given', input: { state: 'given' } },
  { name: 'refused', input: { state: 'refused' } },
  { name: 'withdrawn', input: { state: 'withdrawn' } },
  { name: 'not-sought', input: { state: 'not-sought', reason: 'would-prejudice-protection' } },
];
const LABELS: SecurityLabel[] = ['N', 'R', 'V'];
const ALL_CONSENTS = CONSENTS.map((c) => c.name);

/** A permitted cell: who, in which role, for which purposes, under which consent states and labels, and the fields released. */
interface Expected {
  agency: string;
  role: Role;
  purposes: Purpose[];
  consents: string[];
  labels: SecurityLabel[];
  fields: string[] | 'all';
}

interface Read {
  name: string;
  action: Action;
  type: RecordType;
  owner: { id: string; type: AgencyType };
  permitted: Expected[];
}

const READS: Read[] = [
  {
    name: 'CP-IS query of a Leeds plan',
    action: 'cpis:query',
    type: 'ProtectionPlan',
    owner: { id: 'la:383', type: 'local-authority' },
    permitted: [
      // cpis-england#plans-to-health: both health trusts, N and R, whatever the consent.
      ...['ods:RR8', 'ods:RYJ'].flatMap((agency) =>
        (['unscheduled-care', 'scheduled-care'] as Role[]).map((role) => ({ agency, role, purposes: ['direct-care'] as Purpose[], consents: ALL_CONSENTS, labels: ['N', 'R'] as SecurityLabel[], fields: ['kind', 'period', 'status'] })),
      ),
      // The owning LA, in full.
      { agency: 'la:383', role: 'la-social-worker', purposes: ['safeguarding-s47', 'child-in-need-s17'], consents: ALL_CONSENTS, labels: LABELS, fields: 'all' },
    ],
  },
  {
    name: 'person read of the hospital’s record of a child',
    action: 'record:read',
    type: 'Person',
    owner: { id: 'ods:RR8', type: 'health' },
    permitted: [
      { agency: 'ods:RR8', role: 'unscheduled-care', purposes: ['direct-care'], consents: ALL_CONSENTS, labels: LABELS, fields: 'all' },
      { agency: 'ods:RR8', role: 'scheduled-care', purposes: ['direct-care'], consents: ALL_CONSENTS, labels: LABELS, fields: 'all' },
      // leeds-health-to-social-care: consent given, or not sought under Sch 1 para 18 for a child.
      { agency: 'la:383', role: 'la-social-worker', purposes: ['safeguarding-s47', 'child-in-need-s17', 'early-help'], consents: ['given', 'not-sought'], labels: ['N'], fields: ['identifiers', 'names', 'birthDate', 'sex', 'addresses'] },
    ],
  },
  {
    name: 'person read of the local authority’s record of a child',
    action: 'record:read',
    type: 'Person',
    owner: { id: 'la:383', type: 'local-authority' },
    permitted: [
      { agency: 'la:383', role: 'la-social-worker', purposes: ['safeguarding-s47', 'child-in-need-s17', 'early-help', 'statutory-return'], consents: ALL_CONSENTS, labels: LABELS, fields: 'all' },
      // cpis-england#plans-to-health names the person's identifiers and date of birth.
      ...['ods:RR8', 'ods:RYJ'].flatMap((agency) =>
        (['unscheduled-care', 'scheduled-care'] as Role[]).map((role) => ({ agency, role, purposes: ['direct-care'] as Purpose[], consents: ALL_CONSENTS, labels: ['N', 'R'] as SecurityLabel[], fields: ['identifiers', 'birthDate'] })),
      ),
      // leeds-safeguarding-partnership#children-social-care-to-police.
      { agency: 'police:E23000010', role: 'police-submitter', purposes: ['law-enforcement', 'safeguarding-s47'], consents: ALL_CONSENTS, labels: ['N', 'R'], fields: ['identifiers', 'names', 'birthDate', 'sex', 'addresses'] },
    ],
  },
  {
    name: 'police notification read',
    action: 'notification:read',
    type: 'PoliceNotification',
    owner: { id: 'police:E23000010', type: 'police' },
    permitted: [
      { agency: 'police:E23000010', role: 'police-submitter', purposes: ['law-enforcement', 'safeguarding-s47'], consents: ALL_CONSENTS, labels: LABELS, fields: 'all' },
      // leeds-safeguarding-partnership#police-to-children-social-care: in full, N and R.
      { agency: 'la:383', role: 'la-social-worker', purposes: ['safeguarding-s47', 'child-in-need-s17'], consents: ALL_CONSENTS, labels: ['N', 'R'], fields: 'all' },
      // leeds-safeguarding-partnership#operation-encompass-to-schools: the notice's fields only.
      { agency: 'school:100000', role: 'school-dsl', purposes: ['safeguarding-s47'], consents: ALL_CONSENTS, labels: ['N', 'R'], fields: ['reference', 'type', 'occurredAt', 'location', 'persons', 'circumstances'] },
    ],
  },
];

function expectedFor(read: Read, agency: string, role: Role, purpose: Purpose, consent: string, label: SecurityLabel): Expected | undefined {
  return read.permitted.find((e) => e.agency === agency && e.role === role && e.purposes.includes(purpose) && e.consents.includes(consent) && e.labels.includes(label));
}

describe.each(READS)('sharing table: $name', (read) => {
  it('gives exactly the expected decision for every agency × role × purpose × consent × label', () => {
    const mismatches: string[] = [];
    let permits = 0;
    let cells = 0;
    for (const requester of REQUESTERS) {
      for (const role of ROLE_NAMES) {
        for (const purpose of PURPOSES) {
          for (const consent of CONSENTS) {
            for (const label of LABELS) {
              cells++;
              // As the services do: the token's role must fit its agency, the action must be granted, then the record is decided.
              let permit = false;
              let fields: string[] = [];
              if (roleProblem(role, requester.type) === null && authorise({ sub: 'u', agency: requester.id, role, purposeClaim: purpose, purpose }, read.action).permit) {
                const d = decide({
                  requester: { agency: requester, role },
                  purpose,
                  record: { type: read.type, owner: read.owner, label },
                  subject: { child: true, adultAtRisk: false },
                  consent: consent.input,
                  override: null,
                  agreements,
                  today: '2026-12-07',
                });
                permit = d.permit;
                fields = d.fields;
              }
              const expected = expectedFor(read, requester.id, role, purpose, consent.name, label);
              const cell = `${requester.id} ${role} ${purpose} consent=${consent.name} label=${label}`;
              if (permit !== (expected !== undefined)) mismatches.push(`${cell}: ${permit ? 'permitted' : 'denied'}, expected ${expected ? 'permit' : 'deny'}`);
              if (permit) permits++;
              if (permit && expected && expected.fields !== 'all' && [...fields].sort().join() !== [...expected.fields].sort().join()) {
                mismatches.push(`${cell}: released ${fields.join(', ')}, expected ${expected.fields.join(', ')}`);
              }
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(cells).toBe(REQUESTERS.length * ROLE_NAMES.length * PURPOSES.length * CONSENTS.length * LABELS.length);
    // The table is not vacuous: some cells are permitted, and most are not.
    expect(permits).toBeGreaterThan(0);
    expect(permits).toBeLessThan(cells / 10);
  });
});

describe('sharing table: overrides', () => {
  it('turns a refused consent into a release only for a social worker, for s47, for a child', () => {
    const base = {
      requester: { agency: { id: 'la:383', type: 'local-authority' as const }, role: 'la-social-worker' as Role },
      record: { type: 'Attendance' as const, owner: { id: 'ods:RR8', type: 'health' as const }, label: 'N' as const },
      consent: { state: 'refused' as const },
      agreements,
      today: '2026-12-07',
    };
    const outcomes = PURPOSES.flatMap((purpose) =>
      [true, false].map((child) => {
        const d = decide({ ...base, purpose, subject: { child, adultAtRisk: false }, override: { reason: 'risk of significant harm tonight' } });
        return `${purpose}/${child ? 'child' : 'adult'}: ${d.permit ? 'permit' : 'deny'}`;
      }),
    );
    expect(outcomes.filter((o) => o.endsWith('permit'))).toEqual(['safeguarding-s47/child: permit']);
  });
});
