/**
 * Synthetic messages of every inbound family, written by the project. NHS numbers come
 * from testNhsNumber (999 range, valid Modulus 11); names and ids are made up.
 */

export interface Adt {
  event?: string;
  nhs?: string;
  nsts?: string;
  mrn?: string;
  visit?: string;
  patientClass?: string;
  arrival?: string;
  discharge?: string;
  control?: string;
  extraSegments?: string[];
  birthDate?: string;
  /** PID-5 family and given names (default TESTER, ALEX JO). */
  family?: string;
  /** The first given name; with it set there is no middle name. */
  given?: string;
  /** PID-8 (default F). */
  sex?: string;
  /** PID-11 street and postcode (default 1 TEST STREET, LS1 1AA). */
  street?: string;
  postcode?: string;
  /** Leave the NHS number out of PID-3 (the MRN stays). */
  noNhs?: boolean;
}

/** One HL7 v2.4 ADT message (ADT_A01 structure), segments ended by \r. PID-32 carries the NSTS status. */
export function adt(o: Adt = {}): string {
  const event = o.event ?? 'A04';
  const mrn = `${o.mrn ?? `H${(o.nhs ?? '9990000018').slice(3)}`}^^^RR8^MR`;
  const pid3 = o.noNhs ? mrn : `${o.nhs ?? '9990000018'}^^^NHS^NH~${mrn}`;
  const name = `${o.family ?? 'TESTER'}^${o.given ?? 'ALEX'}^${o.given === undefined ? 'JO' : ''}^^MISS`;
  const pid = ['PID', '1', '', pid3, '', name, '', o.birthDate ?? '20150304', o.sex ?? 'F', '', '', `${o.street ?? '1 TEST STREET'}^^LEEDS^^${o.postcode ?? 'LS1 1AA'}`];
  while (pid.length < 32) pid.push('');
  pid[32] = o.nsts ?? 'NSTS01';
  const pv1 = ['PV1', '1', o.patientClass ?? 'E', 'ED^^^RR8'];
  while (pv1.length < 46) pv1.push('');
  pv1[19] = o.visit ?? 'V0001';
  pv1[44] = o.arrival ?? '20261120093000';
  pv1[45] = o.discharge ?? '';
  return [
    `MSH|^~\\&|PAS|RR8|SGW|SGW|20261120093000||ADT^${event}^ADT_A01|${o.control ?? `MSG-${event}-1`}|P|2.4`,
    `EVN|${event}|20261120093000`,
    pid.join('|').replace(/\|+$/, (m) => m),
    'NK1|1|TESTER^SAM|MTH|||07700900123',
    pv1.join('|'),
    ...(o.extraSegments ?? []),
  ].join('\r');
}

export interface CinChildSpec {
  id: string;
  upn?: string;
  birthDate?: string;
  cpp?: { start: string; end?: string };
  referral?: string;
  ethnicity?: string;
}

/** A CIN census return for LA 383 (2025-26 collection, `Sex` layout). */
export function cinCensus(children: CinChildSpec[], opts: { lea?: string; year?: number } = {}): string {
  const year = opts.year ?? 2026;
  const kids = children.map((c) => {
    const referral = c.referral ?? `${year - 1}-05-01`;
    const cpp = c.cpp
      ? `<ChildProtectionPlans><CPPstartDate>${c.cpp.start}</CPPstartDate>${c.cpp.end ? `<CPPendDate>${c.cpp.end}</CPPendDate>` : ''}<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>`
      : '';
    const s47 = c.cpp ? `<Section47><S47ActualStartDate>${referral}</S47ActualStartDate><InitialCPCtarget>${referral}</InitialCPCtarget><DateOfInitialCPC>${c.cpp.start}</DateOfInitialCPC><ICPCnotRequired>false</ICPCnotRequired></Section47>` : '';
    return `<Child>
  <ChildIdentifiers><LAchildID>${c.id}</LAchildID>${c.upn ? `<UPN>${c.upn}</UPN>` : '<UPNunknown>UN1</UPNunknown>'}<PersonBirthDate>${c.birthDate ?? '2015-03-04'}</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
  <ChildCharacteristics><Ethnicity>${c.ethnicity ?? 'WBRI'}</Ethnicity></ChildCharacteristics>
  <CINdetails><CINreferralDate>${referral}</CINreferralDate><ReferralSource>6</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>
    <Assessments><AssessmentActualStartDate>${referral}</AssessmentActualStartDate><AssessmentAuthorisationDate>${referral}</AssessmentAuthorisationDate><FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>
    ${s47}<ReferralNFA>false</ReferralNFA>${cpp}
  </CINdetails>
</Child>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>${year}</Year><ReferenceDate>${year}-03-31</ReferenceDate></CollectionDetails>
  <Source><SourceLevel>L</SourceLevel><LEA>${opts.lea ?? '383'}</LEA><SoftwareCode>TestSoft</SoftwareCode><Release>1</Release><SerialNo>001</SerialNo><DateTime>${year}-04-02T10:00:00</DateTime></Source></Header>
  <Children>${kids.join('\n')}</Children>
</Message>`;
}

/** An SSDA903 Episodes table as CSV (DD/MM/YYYY dates). */
export function episodesCsv(rows: { child: string; decom: string; ls?: string; dec?: string; rec?: string }[]): string {
  const head = 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN';
  return [head, ...rows.map((r) => [r.child, r.decom, 'S', r.ls ?? 'C2', 'N1', 'U1', 'PR1', r.dec ?? '', r.rec ?? (r.dec ? 'E8' : ''), '', 'LS1 1AA', 'LS2 2AA', 'SC123456'].join(','))].join('\r\n');
}

/** A CP-IS style bulk upload. */
export function cpisCsv(rows: Partial<Record<'nhs_number' | 'nhs_number_status' | 'plan_type' | 'start_date' | 'end_date' | 'la_code' | 'local_id', string>>[]): string {
  const cols = ['nhs_number', 'nhs_number_status', 'plan_type', 'start_date', 'end_date', 'la_code', 'local_id'] as const;
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c] ?? '').join(','))].join('\n');
}

/** A UK Core Patient with a verified NHS number and an LA child id. */
export function ukCorePatient(nhs: string, laChildId: string, la = '383'): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    identifier: [
      {
        system: 'https://fhir.nhs.uk/Id/nhs-number',
        value: nhs,
        extension: [
          {
            url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
            valueCodeableConcept: { coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland', code: '01' }] },
          },
        ],
      },
      { system: `https://sgw.example/fhir/Id/la-child-id/${la}`, value: laChildId },
    ],
    name: [{ use: 'official', family: 'Tester', given: ['Robin'] }],
    gender: 'female',
    birthDate: '2015-03-04',
  };
}
