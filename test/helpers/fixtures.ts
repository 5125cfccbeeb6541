import { nhsCheckDigit } from '../../src/model/nhs-number.js';

/** Synthetic NHS numbers in the 999 test range with a valid Modulus 11 check digit. */
export function testNhsNumber(n: number): string {
  for (let i = n; ; i++) {
    const nine = `999${String(i).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) return `${nine}${check}`;
  }
}

export const NHS_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const VERIFIED = [
  {
    url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
    valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01' }] },
  },
];
export const CPP = '342191000000101';
export const LAC = '764841000000100';
export const UNBORN = '818901000000100';

/** A CareTeam recording a plan against a verified NHS number. */
export function careTeam(nhs: string, opts: { code?: string; start?: string; end?: string; status?: string; owner?: string; id?: string; verified?: boolean } = {}): Record<string, unknown> {
  return {
    resourceType: 'CareTeam',
    ...(opts.id ? { identifier: [{ system: 'https://la.example/Id/plan', value: opts.id }] } : {}),
    ...(opts.status ? { status: opts.status } : {}),
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: opts.code ?? CPP }] }],
    subject: { identifier: { system: NHS_SYSTEM, value: nhs, ...(opts.verified === false ? {} : { extension: VERIFIED }) } },
    period: { start: opts.start ?? '2026-09-01', ...(opts.end ? { end: opts.end } : {}) },
    ...(opts.owner ? { managingOrganization: [{ reference: `Organization/${opts.owner}` }] } : {}),
  };
}

/** A transaction Bundle with a Patient and the CareTeam whose subject it is. */
export function planBundle(nhs: string, opts: { code?: string; start?: string; type?: string } = {}): Record<string, unknown> {
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${nhs.padStart(12, '0')}`;
  return {
    resourceType: 'Bundle',
    type: opts.type ?? 'transaction',
    entry: [
      {
        fullUrl: patientUrl,
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: NHS_SYSTEM, value: nhs, extension: VERIFIED }],
          name: [{ given: ['Sam'], family: 'Testchild' }],
          birthDate: '2018-05-04',
          gender: 'male',
          address: [{ line: ['1 Example Street'], city: 'Leeds', postalCode: 'ls1 1aa' }],
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        resource: { ...careTeam(nhs, opts), subject: { reference: patientUrl } },
        request: { method: 'POST', url: 'CareTeam' },
      },
    ],
  };
}
