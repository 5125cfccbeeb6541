import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GatewayIssue } from '../../src/errors/gateway-error.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { readCinCensus } from '../../src/formats/cin-census.js';

// Synthetic returns, written here: made-up IDs, LA 999, no real people.

const GENDER = '<GenderCurrent>1</GenderCurrent>';

/** A complete, schema-valid return holding every module once. */
function good(opts: { year?: string | null; gender?: string; extraDetails?: string } = {}): string {
  const year = opts.year === undefined ? '2024' : opts.year;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      ${year === null ? '' : `<Year>${year}</Year>`}
      <ReferenceDate>${year ?? '2024'}-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>999</LEA>
      <SoftwareCode>Test Suite</SoftwareCode>
      <Release>1.0</Release>
      <SerialNo>0042</SerialNo>
      <DateTime>2024-04-02T09:30:00Z</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TESTCHILD01</LAchildID>
        <UPN>A999000000001</UPN>
        <UPNunknown>UN2</UPNunknown>
        <PersonBirthDate>2016-02-29</PersonBirthDate>
        ${opts.gender ?? GENDER}
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2023-05-02</CINreferralDate>
        <ReferralSource>5D</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <CINclosureDate>2024-03-01</CINclosureDate>
        <ReasonForClosure>RC9</ReasonForClosure>
        <Assessments>
          <AssessmentActualStartDate>2023-05-03</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2023-06-01</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>3B</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates>
          <CINPlanStartDate>2023-06-05</CINPlanStartDate>
          <CINPlanEndDate>2023-07-01</CINPlanEndDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>2023-07-03</S47ActualStartDate>
          <DateOfInitialCPC>2023-07-17</DateOfInitialCPC>
          <ICPCnotRequired>false</ICPCnotRequired>
        </Section47>
        <ReferralNFA>false</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2023-07-17</CPPstartDate>
          <CPPendDate>2024-02-20</CPPendDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2023-10-16</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
        ${opts.extraDetails ?? ''}
      </CINdetails>
    </Child>
  </Children>
</Message>`;
}

const PRE_PROCEEDINGS = `<PreProceedingsandFGDM>
          <PPStartDate>2025-09-09</PPStartDate>
          <LBPSentDate>2025-09-20</LBPSentDate>
          <FGDMMeetingOffer>1</FGDMMeetingOffer>
          <FGDMMeetingFac>0</FGDMMeetingFac>
          <InitialPPMeetingDate>2025-09-29</InitialPPMeetingDate>
          <ReviewMeetingsCount>3</ReviewMeetingsCount>
          <StepDecisionDate>2025-12-01</StepDecisionDate>
          <PPOutcome>A</PPOutcome>
          <CourtAppDate>2025-12-18</CourtAppDate>
          <LetterInitCPDate>2026-02-05</LetterInitCPDate>
        </PreProceedingsandFGDM>`;

const CHILD = 'Message.Children.Child[0]';
const IDS = `${CHILD}.ChildIdentifiers`;
const DETAILS = `${CHILD}.CINdetails[0]`;

/** Replaces exactly one occurrence, so a fixture edit cannot silently miss. */
function edit(xml: string, from: string, to: string): string {
  const at = xml.indexOf(from);
  if (at === -1 || xml.indexOf(from, at + 1) !== -1) throw new Error(`fixture edit: ${from} must occur exactly once`);
  return xml.slice(0, at) + to + xml.slice(at + from.length);
}

async function refusal(xml: string): Promise<GatewayIssue[]> {
  try {
    await readCinCensus(xml);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    expect(e.code).toBe('GW_ERR_MALFORMED_BODY');
    expect(e.status).toBe(400);
    for (const i of e.issues) expect(i.severity).toBe('error');
    return e.issues;
  }
  throw new Error('expected the return to be refused');
}

/** The one issue at `path`, asserting its code. */
async function expectIssue(xml: string, path: string, code: string): Promise<GatewayIssue> {
  const issues = await refusal(xml);
  const at = issues.filter((i) => i.expression?.[0] === path);
  expect(at.map((i) => i.code), `issues: ${JSON.stringify(issues)}`).toContain(code);
  return at.find((i) => i.code === code)!;
}

describe('readCinCensus: a good return', () => {
  it('reads a 2023-24 return into a tree that keeps the element names', async () => {
    const parsed = await readCinCensus(new TextEncoder().encode(good()));
    expect(parsed.format).toBe('cin-census-xml');
    expect(parsed.messageId).toBe('0042');
    expect(parsed.warnings).toEqual([]);
    const { Message } = parsed.tree;
    expect(Message.Header?.CollectionDetails).toEqual({ Collection: 'CIN', Year: '2024', ReferenceDate: '2024-03-31' });
    expect(Message.Header?.Source).toEqual([
      { SourceLevel: 'L', LEA: '999', SoftwareCode: 'Test Suite', Release: '1.0', SerialNo: '0042', DateTime: '2024-04-02T09:30:00Z' },
    ]);
    const child = Message.Children.Child[0]!;
    expect(child.ChildIdentifiers).toEqual({
      LAchildID: 'TESTCHILD01',
      UPN: 'A999000000001',
      UPNunknown: 'UN2',
      PersonBirthDate: '2016-02-29',
      GenderCurrent: '1',
    });
    expect(child.ChildCharacteristics).toEqual({ Ethnicity: 'WBRI', Disabilities: { Disability: ['HAND'] } });
    const details = child.CINdetails[0]!;
    expect(details.Assessments).toEqual([
      { AssessmentActualStartDate: '2023-05-03', AssessmentAuthorisationDate: '2023-06-01', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['3B'] } },
    ]);
    expect(details.CINPlanDates).toEqual([{ CINPlanStartDate: '2023-06-05', CINPlanEndDate: '2023-07-01' }]);
    expect(details.Section47).toEqual([{ S47ActualStartDate: '2023-07-03', DateOfInitialCPC: '2023-07-17', ICPCnotRequired: 'false' }]);
    expect(details.ChildProtectionPlans?.[0]?.Reviews).toEqual({ CPPreviewDate: ['2023-10-16'] });
    expect(details.ReferralNFA).toBe('false');
    // absent optional elements are absent, not ''
    expect('DateOfInitialCPC' in details).toBe(false);
    expect('PreProceedingsandFGDM' in details).toBe(false);
    expect('ExpectedPersonBirthDate' in child.ChildIdentifiers).toBe(false);
  });

  it('keeps repeating elements as arrays in document order, and needs no Header', async () => {
    const xml = `<Message><Children>
      <Child><ChildIdentifiers><LAchildID>A1</LAchildID><ExpectedPersonBirthDate>2024-05-01</ExpectedPersonBirthDate><GenderCurrent>0</GenderCurrent></ChildIdentifiers>
        <ChildCharacteristics><Ethnicity>NOBT</Ethnicity></ChildCharacteristics>
        <CINdetails><ReferralNFA>1</ReferralNFA><CINreferralDate>2024-01-10</CINreferralDate><ReferralSource>10</ReferralSource></CINdetails>
        <CINdetails><CINreferralDate>2024-02-10</CINreferralDate><ReferralSource>6</ReferralSource><ReferralNFA>TRUE</ReferralNFA></CINdetails>
      </Child>
      <Child><ChildIdentifiers><LAchildID>A2</LAchildID><GenderCurrent>9</GenderCurrent></ChildIdentifiers>
        <ChildCharacteristics><Ethnicity>REFU</Ethnicity><Disabilities><Disability>MOB</Disability><Disability>VIS</Disability></Disabilities></ChildCharacteristics>
        <CINdetails><CINreferralDate>2024-01-10</CINreferralDate><ReferralSource>1A</ReferralSource><ReferralNFA>0</ReferralNFA></CINdetails>
      </Child></Children></Message>`;
    const { tree, messageId } = await readCinCensus(xml);
    expect(messageId).toBeUndefined();
    expect(tree.Message.Header).toBeUndefined();
    expect(tree.Message.Children.Child.map((c) => c.ChildIdentifiers.LAchildID)).toEqual(['A1', 'A2']);
    expect(tree.Message.Children.Child[0]!.CINdetails.map((d) => d.ReferralNFA)).toEqual(['1', 'TRUE']);
    expect(tree.Message.Children.Child[1]!.ChildCharacteristics.Disabilities?.Disability).toEqual(['MOB', 'VIS']);
  });

  it('accepts element order other than the schema sequence', async () => {
    const xml = edit(good(), '<LAchildID>TESTCHILD01</LAchildID>', '');
    const moved = edit(xml, GENDER, `${GENDER}<LAchildID>TESTCHILD01</LAchildID>`);
    await expect(readCinCensus(moved)).resolves.toBeDefined();
  });

  it('accepts 0 previous child protection plans (the community XSD says positiveInteger)', async () => {
    const parsed = await readCinCensus(good());
    expect(parsed.tree.Message.Children.Child[0]!.CINdetails[0]!.ChildProtectionPlans?.[0]?.NumberOfPreviousCPP).toBe('0');
  });
});

describe('readCinCensus: structure', () => {
  it('refuses a root other than Message', async () => {
    const issue = await expectIssue('<Return><Children/></Return>', 'Return', 'structure');
    expect(issue.diagnostics).toContain('must be Message');
  });

  it('refuses an unknown element, naming where it is', async () => {
    const issue = await expectIssue(edit(good(), GENDER, `${GENDER}<FavouriteColour>blue</FavouriteColour>`), `${IDS}.FavouriteColour`, 'structure');
    expect(issue.diagnostics).toContain('unknown element FavouriteColour in ChildIdentifiers');
  });

  it('refuses stray text inside an element that holds elements', async () => {
    const issue = await expectIssue(edit(good(), '<UPNunknown>UN2</UPNunknown>', '<UPNunknown>UN2</UPNunknown>PersonBirthDate'), IDS, 'structure');
    expect(issue.diagnostics).toContain('stray text "PersonBirthDate"');
  });

  it('refuses elements inside a simple value', async () => {
    await expectIssue(edit(good(), '<Ethnicity>WBRI</Ethnicity>', '<Ethnicity><Code>WBRI</Code></Ethnicity>'), `${CHILD}.ChildCharacteristics.Ethnicity`, 'structure');
  });

  it('refuses a single element sent twice', async () => {
    await expectIssue(edit(good(), '<Ethnicity>WBRI</Ethnicity>', '<Ethnicity>WBRI</Ethnicity><Ethnicity>WIRI</Ethnicity>'), `${CHILD}.ChildCharacteristics.Ethnicity`, 'structure');
  });

  it('refuses an attribute the schema does not declare, but not namespace declarations', async () => {
    await expectIssue(edit(good(), '<Ethnicity>', '<Ethnicity source="x">'), `${CHILD}.ChildCharacteristics.Ethnicity@source`, 'structure');
    await expect(readCinCensus(edit(good(), '<Message>', '<Message xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'))).resolves.toBeDefined();
  });

  it.each([
    ['LAchildID', '<LAchildID>TESTCHILD01</LAchildID>', `${IDS}.LAchildID`],
    ['Ethnicity', '<Ethnicity>WBRI</Ethnicity>', `${CHILD}.ChildCharacteristics.Ethnicity`],
    ['CINreferralDate', '<CINreferralDate>2023-05-02</CINreferralDate>', `${DETAILS}.CINreferralDate`],
    ['ReferralSource', '<ReferralSource>5D</ReferralSource>', `${DETAILS}.ReferralSource`],
    ['ReferralNFA', '<ReferralNFA>false</ReferralNFA>', `${DETAILS}.ReferralNFA`],
    ['AssessmentActualStartDate', '<AssessmentActualStartDate>2023-05-03</AssessmentActualStartDate>', `${DETAILS}.Assessments[0].AssessmentActualStartDate`],
    ['AssessmentFactors', '<AssessmentFactors>3B</AssessmentFactors>', `${DETAILS}.Assessments[0].FactorsIdentifiedAtAssessment.AssessmentFactors`],
    ['CINPlanStartDate', '<CINPlanStartDate>2023-06-05</CINPlanStartDate>', `${DETAILS}.CINPlanDates[0].CINPlanStartDate`],
    ['S47ActualStartDate', '<S47ActualStartDate>2023-07-03</S47ActualStartDate>', `${DETAILS}.Section47[0].S47ActualStartDate`],
    ['ICPCnotRequired', '<ICPCnotRequired>false</ICPCnotRequired>', `${DETAILS}.Section47[0].ICPCnotRequired`],
    ['CPPstartDate', '<CPPstartDate>2023-07-17</CPPstartDate>', `${DETAILS}.ChildProtectionPlans[0].CPPstartDate`],
    ['InitialCategoryOfAbuse', '<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>', `${DETAILS}.ChildProtectionPlans[0].InitialCategoryOfAbuse`],
    ['LatestCategoryOfAbuse', '<LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>', `${DETAILS}.ChildProtectionPlans[0].LatestCategoryOfAbuse`],
    ['NumberOfPreviousCPP', '<NumberOfPreviousCPP>0</NumberOfPreviousCPP>', `${DETAILS}.ChildProtectionPlans[0].NumberOfPreviousCPP`],
    ['CPPreviewDate', '<CPPreviewDate>2023-10-16</CPPreviewDate>', `${DETAILS}.ChildProtectionPlans[0].Reviews.CPPreviewDate`],
    ['LEA', '<LEA>999</LEA>', 'Message.Header.Source[0].LEA'],
    ['GenderCurrent (2023-24)', GENDER, `${IDS}.GenderCurrent`],
  ])('refuses a return without %s', async (_name, element, path) => {
    const issue = await expectIssue(edit(good(), element, ''), path, 'required');
    expect(issue.diagnostics).toContain('missing');
  });

  it('refuses a return with no Children, a Child with no CINdetails, an empty Disabilities', async () => {
    await expectIssue('<Message><Header/></Message>', 'Message.Children', 'required');
    const noDetails = good().replace(/<CINdetails>[\s\S]*<\/CINdetails>/, '');
    await expectIssue(noDetails, `${CHILD}.CINdetails`, 'required');
    await expectIssue(edit(good(), '<Disability>HAND</Disability>', ''), `${CHILD}.ChildCharacteristics.Disabilities.Disability`, 'required');
  });

  it('refuses an empty required value', async () => {
    await expectIssue(edit(good(), '<LAchildID>TESTCHILD01</LAchildID>', '<LAchildID>  </LAchildID>'), `${IDS}.LAchildID`, 'required');
    await expectIssue(edit(good(), '<PrimaryNeedCode>N1</PrimaryNeedCode>', '<PrimaryNeedCode/>'), `${DETAILS}.PrimaryNeedCode`, 'required');
  });

  it('collects every problem before refusing', async () => {
    let xml = edit(good(), '<CPPstartDate>2023-07-17</CPPstartDate>', '');
    xml = edit(xml, '<Ethnicity>WBRI</Ethnicity>', '<Ethnicity>WHITE</Ethnicity>');
    xml = edit(xml, '<CINreferralDate>2023-05-02</CINreferralDate>', '<CINreferralDate>2023-02-30</CINreferralDate>');
    const issues = await refusal(xml);
    expect(issues.map((i) => [i.code, i.expression?.[0]])).toEqual([
      ['code-invalid', `${CHILD}.ChildCharacteristics.Ethnicity`],
      ['value', `${DETAILS}.CINreferralDate`],
      ['required', `${DETAILS}.ChildProtectionPlans[0].CPPstartDate`],
    ]);
  });
});

describe('readCinCensus: values', () => {
  it.each(['2023-02-30', '2023-13-01', '2023-04-31', '2023-00-10', '2023-4-1', '01/04/2023', '2023-04-01T00:00:00', '2023-04-01Z'])(
    'refuses the date %j',
    async (date) => {
      const issue = await expectIssue(edit(good(), '<CINreferralDate>2023-05-02</CINreferralDate>', `<CINreferralDate>${date}</CINreferralDate>`), `${DETAILS}.CINreferralDate`, 'value');
      expect(issue.diagnostics).toContain('YYYY-MM-DD');
      expect(issue.diagnostics).toContain(JSON.stringify(date));
    },
  );

  it('accepts 29 February in a leap year only', async () => {
    await expect(readCinCensus(good())).resolves.toBeDefined(); // born 2016-02-29
    await expectIssue(edit(good(), '2016-02-29', '2015-02-29'), `${IDS}.PersonBirthDate`, 'value');
  });

  it.each(['2024-04-02T09:30:00', '2024-04-02T09:30:00.123+01:00', '2024-04-02T23:59:59-05:00'])('accepts the DateTime %j', async (dt) => {
    await expect(readCinCensus(edit(good(), '2024-04-02T09:30:00Z', dt))).resolves.toBeDefined();
  });

  it.each(['2024-04-02', '2024-04-31T10:00:00', '2024-04-02T24:10:00', '2024-04-02 09:30:00'])('refuses the DateTime %j', async (dt) => {
    await expectIssue(edit(good(), '2024-04-02T09:30:00Z', dt), 'Message.Header.Source[0].DateTime', 'value');
  });

  it.each(['true', 'false', 'TRUE', 'FALSE', '1', '0'])('accepts the boolean %j', async (b) => {
    const parsed = await readCinCensus(edit(good(), '<ReferralNFA>false</ReferralNFA>', `<ReferralNFA>${b}</ReferralNFA>`));
    expect(parsed.tree.Message.Children.Child[0]!.CINdetails[0]!.ReferralNFA).toBe(b);
  });

  it.each(['yes', 'True', 'N', '2'])('refuses the boolean %j', async (b) => {
    await expectIssue(edit(good(), '<ICPCnotRequired>false</ICPCnotRequired>', `<ICPCnotRequired>${b}</ICPCnotRequired>`), `${DETAILS}.Section47[0].ICPCnotRequired`, 'value');
  });

  it.each([
    ['UPN', '<UPN>A999000000001</UPN>', '<UPN>A99900000001</UPN>', `${IDS}.UPN`],
    ['LEA', '<LEA>999</LEA>', '<LEA>99</LEA>', 'Message.Header.Source[0].LEA'],
    ['SerialNo', '<SerialNo>0042</SerialNo>', '<SerialNo>4x</SerialNo>', 'Message.Header.Source[0].SerialNo'],
    ['Year', '<Year>2024</Year>', '<Year>24</Year>', 'Message.Header.CollectionDetails.Year'],
    ['NumberOfPreviousCPP', '<NumberOfPreviousCPP>0</NumberOfPreviousCPP>', '<NumberOfPreviousCPP>-1</NumberOfPreviousCPP>', `${DETAILS}.ChildProtectionPlans[0].NumberOfPreviousCPP`],
  ])('refuses a malformed %s', async (_name, from, to, path) => {
    await expectIssue(edit(good(), from, to), path, 'value');
  });

  it('accepts a temporary UPN ending in a letter', async () => {
    await expect(readCinCensus(edit(good(), '<UPN>A999000000001</UPN>', '<UPN>A99900000000B</UPN>'))).resolves.toBeDefined();
  });

  it.each([
    ['Ethnicity', '<Ethnicity>WBRI</Ethnicity>', 'WHIT', `${CHILD}.ChildCharacteristics.Ethnicity`],
    ['Disability', '<Disability>HAND</Disability>', 'BLIND', `${CHILD}.ChildCharacteristics.Disabilities.Disability[0]`],
    ['ReferralSource', '<ReferralSource>5D</ReferralSource>', '11', `${DETAILS}.ReferralSource`],
    ['PrimaryNeedCode', '<PrimaryNeedCode>N1</PrimaryNeedCode>', 'N10', `${DETAILS}.PrimaryNeedCode`],
    ['ReasonForClosure', '<ReasonForClosure>RC9</ReasonForClosure>', 'RC10', `${DETAILS}.ReasonForClosure`],
    ['InitialCategoryOfAbuse', '<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>', 'NEGL', `${DETAILS}.ChildProtectionPlans[0].InitialCategoryOfAbuse`],
    ['LatestCategoryOfAbuse', '<LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>', 'emo', `${DETAILS}.ChildProtectionPlans[0].LatestCategoryOfAbuse`],
    ['AssessmentFactors', '<AssessmentFactors>3B</AssessmentFactors>', 'RB', `${DETAILS}.Assessments[0].FactorsIdentifiedAtAssessment.AssessmentFactors[0]`],
    ['UPNunknown', '<UPNunknown>UN2</UPNunknown>', 'UN8', `${IDS}.UPNunknown`],
    ['GenderCurrent', GENDER, '3', `${IDS}.GenderCurrent`],
    ['Collection', '<Collection>CIN</Collection>', 'CLA', 'Message.Header.CollectionDetails.Collection'],
  ])('refuses a %s outside its code list', async (name, from, value, path) => {
    const issue = await expectIssue(edit(good(), from, from.replace(/>[^<]*</, `>${value}<`)), path, 'code-invalid');
    expect(issue.diagnostics).toContain(JSON.stringify(value));
    expect(issue.diagnostics).toContain('expected one of');
    expect(issue.diagnostics.startsWith(name)).toBe(true);
  });

  it('accepts every code in the lists it enforces (RC9, N0, 24A, 5D…)', async () => {
    let xml = edit(good(), '<PrimaryNeedCode>N1</PrimaryNeedCode>', '<PrimaryNeedCode>N0</PrimaryNeedCode>');
    xml = edit(xml, '<AssessmentFactors>3B</AssessmentFactors>', '<AssessmentFactors>24A</AssessmentFactors><AssessmentFactors>21</AssessmentFactors>');
    await expect(readCinCensus(xml)).resolves.toBeDefined();
  });
});

describe('readCinCensus: the collection year decides the layout', () => {
  it('2024-25 (Year 2025) needs Sex M/F/U and refuses GenderCurrent', async () => {
    const parsed = await readCinCensus(good({ year: '2025', gender: '<Sex>F</Sex>' }));
    expect(parsed.tree.Message.Children.Child[0]!.ChildIdentifiers.Sex).toBe('F');
    const gc = await expectIssue(good({ year: '2025' }), `${IDS}.GenderCurrent`, 'structure');
    expect(gc.diagnostics).toContain('2024-25');
    expect(gc.diagnostics).toContain('send Sex');
    const missing = await expectIssue(good({ year: '2025', gender: '' }), `${IDS}.Sex`, 'required');
    expect(missing.diagnostics).toContain('2024-25');
    const bad = await expectIssue(good({ year: '2025', gender: '<Sex>1</Sex>' }), `${IDS}.Sex`, 'code-invalid');
    expect(bad.diagnostics).toContain('M, F, U');
  });

  it('2023-24 and earlier (Year ≤ 2024) need GenderCurrent and refuse Sex', async () => {
    const issue = await expectIssue(good({ year: '2024', gender: '<Sex>M</Sex>' }), `${IDS}.Sex`, 'structure');
    expect(issue.diagnostics).toContain('send GenderCurrent');
    const issues = await refusal(good({ year: '2024', gender: '<Sex>M</Sex>' }));
    expect(issues).toHaveLength(1); // no second complaint that GenderCurrent is missing
  });

  it('with no Year, accepts either but not both, and not neither', async () => {
    await expect(readCinCensus(good({ year: null }))).resolves.toBeDefined();
    await expect(readCinCensus(good({ year: null, gender: '<Sex>U</Sex>' }))).resolves.toBeDefined();
    await expectIssue(good({ year: null, gender: `${GENDER}<Sex>M</Sex>` }), `${IDS}.Sex`, 'structure');
    await expectIssue(good({ year: null, gender: '' }), `${IDS}.GenderCurrent`, 'required');
  });

  it('2025-26 (Year 2026) accepts PreProceedingsandFGDM, always as an array', async () => {
    const parsed = await readCinCensus(good({ year: '2026', gender: '<Sex>M</Sex>', extraDetails: PRE_PROCEEDINGS }));
    expect(parsed.tree.Message.Children.Child[0]!.CINdetails[0]!.PreProceedingsandFGDM).toEqual([
      {
        PPStartDate: '2025-09-09',
        LBPSentDate: '2025-09-20',
        FGDMMeetingOffer: '1',
        FGDMMeetingFac: '0',
        InitialPPMeetingDate: '2025-09-29',
        ReviewMeetingsCount: '3',
        StepDecisionDate: '2025-12-01',
        PPOutcome: 'A',
        CourtAppDate: '2025-12-18',
        LetterInitCPDate: '2026-02-05',
      },
    ]);
  });

  it('refuses PreProceedingsandFGDM before 2025-26 or with no Year', async () => {
    const issue = await expectIssue(good({ year: '2025', gender: '<Sex>M</Sex>', extraDetails: PRE_PROCEEDINGS }), `${DETAILS}.PreProceedingsandFGDM[0]`, 'structure');
    expect(issue.diagnostics).toContain('2025-26');
    await expectIssue(good({ year: null, extraDetails: PRE_PROCEEDINGS }), `${DETAILS}.PreProceedingsandFGDM[0]`, 'structure');
  });

  it('checks the values inside PreProceedingsandFGDM', async () => {
    const bad = PRE_PROCEEDINGS.replace('<FGDMMeetingOffer>1</FGDMMeetingOffer>', '<FGDMMeetingOffer>maybe</FGDMMeetingOffer>')
      .replace('<ReviewMeetingsCount>3</ReviewMeetingsCount>', '<ReviewMeetingsCount>three</ReviewMeetingsCount>')
      .replace('<CourtAppDate>2025-12-18</CourtAppDate>', '<CourtAppDate>2025-12-32</CourtAppDate>');
    const issues = await refusal(good({ year: '2026', gender: '<Sex>M</Sex>', extraDetails: bad }));
    const pp = `${DETAILS}.PreProceedingsandFGDM[0]`;
    expect(issues.map((i) => [i.code, i.expression?.[0]])).toEqual([
      ['value', `${pp}.FGDMMeetingOffer`],
      ['value', `${pp}.ReviewMeetingsCount`],
      ['value', `${pp}.CourtAppDate`],
    ]);
  });
});

const SAMPLES = fileURLToPath(new URL('../../../shared/samples/la/cin/', import.meta.url));

describe.runIf(existsSync(SAMPLES))('readCinCensus: the shared CIN samples', () => {
  const sample = (name: string) => readFileSync(`${SAMPLES}${name}`);

  it('reads liia-tools cin-2022.xml (2021-22 layout, GenderCurrent)', async () => {
    const { tree, messageId } = await readCinCensus(sample('liia-tools_cin-2022.xml'));
    expect(messageId).toBe('001');
    expect(tree.Message.Children.Child).toHaveLength(1);
    expect(tree.Message.Children.Child[0]!.CINdetails[0]!.ChildProtectionPlans?.[0]?.Reviews?.CPPreviewDate).toEqual(['1971-02-15']);
  });

  it('reads cin-validator fake_CIN_data.xml (332 children); its speed is measured in bench/, not here', async () => {
    const { tree, messageId } = await readCinCensus(sample('cin-validator_fake_CIN_data.xml'));
    expect(messageId).toBe('409');
    expect(tree.Message.Children.Child).toHaveLength(332);
    expect(tree.Message.Children.Child.flatMap((c) => c.CINdetails)).toHaveLength(402);
  });

  it.each(['cin-validator_CIN_Census_2024.xml', 'cin-validator_CIN_Census_2026.xml'])('refuses %s, naming its errors', async (name) => {
    const issues = await refusal(sample(name).toString('utf8'));
    const at = (path: string) => issues.filter((i) => i.expression?.[0] === path).map((i) => i.code);
    expect(at(IDS)).toEqual(['structure']); // stray text "PersonBirthDate"
    expect(issues.find((i) => i.expression?.[0] === IDS)?.diagnostics).toContain('"PersonBirthDate"');
    expect(at(`${IDS}.Sex`)).toEqual(['structure', 'code-invalid']); // Sex in a Year 2023 file, and 1 is not M/F/U
    expect(at(`${DETAILS}.Assessments[0].FactorsIdentifiedAtAssessment.AssessmentFactors[1]`)).toEqual(['code-invalid']); // RB
    expect(at('Message.Children.Child[1].CINdetails[0].Assessments[0].FactorsIdentifiedAtAssessment.AssessmentFactors')).toEqual(['required']);
    expect(at(`${DETAILS}.PreProceedingsandFGDM[0]`)).toEqual(name.includes('2026') ? ['structure'] : []);
    expect(issues).toHaveLength(name.includes('2026') ? 7 : 6);
  });
});

describe('schema errors that DfE also publishes as rules carry the rule code', () => {
  it('an off-list ethnicity is CIN-4220 and an off-list gender CIN-4180', async () => {
    const issues = await refusal(edit(edit(good(), '<Ethnicity>WBRI</Ethnicity>', '<Ethnicity>XXXX</Ethnicity>'), GENDER, '<GenderCurrent>5</GenderCurrent>'));
    expect(issues).toContainEqual(expect.objectContaining({ expression: [`${CHILD}.ChildCharacteristics.Ethnicity`], rule: 'CIN-4220' }));
    expect(issues).toContainEqual(expect.objectContaining({ expression: [`${IDS}.GenderCurrent`], rule: 'CIN-4180' }));
  });

  it('a structural problem with no published rule carries none', async () => {
    const issues = await refusal(edit(good(), '<Ethnicity>WBRI</Ethnicity>', '<Ethnicity>WBRI</Ethnicity><Colour>blue</Colour>'));
    expect(issues.every((i) => i.rule === undefined)).toBe(true);
  });
});
