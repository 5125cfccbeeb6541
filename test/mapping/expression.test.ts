import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readCinCensus } from '../../src/formats/cin-census.js';
import { readCpisCsv } from '../../src/formats/cpis-csv.js';
import { readHl7v2 } from '../../src/formats/hl7v2.js';
import { readPoliceNotificationXml } from '../../src/formats/police-notification-xml.js';
import { readSsda903Csv } from '../../src/formats/ssda903.js';
import type { CompiledConceptMap } from '../../src/mapping/concept-maps.js';
import { compileConceptMap } from '../../src/mapping/concept-maps.js';
import { runMapping } from '../../src/mapping/engine.js';
import type { CompiledExpression } from '../../src/mapping/expression.js';
import { compileExpression, evaluateWithFhirpath } from '../../src/mapping/expression.js';
import { fhirMappingTree } from '../../src/mapping/fhir-tree.js';
import { DEFAULT_MAPPINGS_DIR, loadMappingRegistry } from '../../src/mapping/registry.js';
import { careTeam, NHS_SYSTEM, planBundle, testNhsNumber, VERIFIED } from '../helpers/fixtures.js';
import { adt, cinCensus, cpisCsv, episodesCsv, ukCorePatient } from '../helpers/messages.js';

type Env = Record<string, unknown>;
type Outcome = { value: unknown[] } | { error: string };

function outcome(run: () => unknown[]): Outcome {
  try {
    return { value: run() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const AGENCY = { agency: 'ods:RR8', agencyCode: 'RR8' };

// ---------------------------------------------------------------------------------------
// Sample trees, per mapping format: what the readers give, and hand-made variants that
// reach the edges (absent fields, repeats, several values where one is expected).
// ---------------------------------------------------------------------------------------

function hl7(o: Parameters<typeof adt>[0] = {}): any {
  return readHl7v2(adt(o)).tree;
}

function hl7Trees(): unknown[] {
  const trees: any[] = [
    hl7(),
    hl7({ event: 'A03', discharge: '20261120120000' }),
    hl7({ event: 'A01', patientClass: 'I' }),
    hl7({ event: 'A28' }),
    hl7({ event: 'A08', patientClass: 'O', visit: '' }),
    hl7({ patientClass: 'ZZ', discharge: '20261121080000', nsts: 'NSTS02' }),
  ];
  // no MSH-4 (sending facility), and PID-3 repeats with and without their type and authority
  const noFacility = hl7();
  delete noFacility.MSH[0].F4;
  noFacility.PID[0].F3 = [{ C1: '9990000018', C4: 'NHS', C5: 'NH' }, { C1: 'L1' }, { C1: 'L2', C5: 'PI' }, { C1: 'L3', C4: 'RR8' }];
  trees.push(noFacility);
  const repeats = hl7({ event: 'A01' });
  repeats.PID[0].F3 = [{ C1: 'L0', C4: 'RR8', C5: 'MR' }, { C1: 'L1' }, { C4: 'RR8', C5: 'PI' }, { C1: '9990000018', C5: 'NH' }, { C1: '9990000026', C4: 'NHS', C5: 'NH' }];
  repeats.PV1.push({ F1: [{ C1: '2' }], F2: [{ C1: 'I' }], F19: [{ C1: 'V9' }], F45: [{ C1: '20261122' }] });
  repeats.NK1.push({ F1: [{ C1: '2' }], F3: [{ C1: 'FTH' }] });
  trees.push(repeats);
  // two sending facilities: concatenations with MSH-4 meet a multi-valued operand
  const twoFacilities = hl7();
  twoFacilities.MSH[0].F4 = [{ C1: 'RR8' }, { C1: 'RX1' }];
  twoFacilities.PID[0].F3.push({ C1: 'L5' });
  trees.push(twoFacilities);
  // no event code, no PID, no PV1 class
  const sparse = hl7();
  delete sparse.MSH[0].F9[0].C2;
  delete sparse.PID;
  delete sparse.PV1[0].F2;
  delete sparse.NK1;
  trees.push(sparse);
  return trees;
}

function cinTrees(): unknown[] {
  const full = {
    Message: {
      Header: { CollectionDetails: { Collection: 'CIN', Year: '2026', ReferenceDate: '2026-03-31' }, Source: [{ SourceLevel: 'L', LEA: '383' }] },
      Children: {
        Child: [
          {
            ChildIdentifiers: { LAchildID: 'K1', UPN: 'A123456789012', FormerUPN: 'B123456789012', PersonBirthDate: '2015-03-04', Sex: 'M', PersonDeathDate: '2026-01-01' },
            ChildCharacteristics: { Ethnicity: 'WBRI', Disabilities: { Disability: ['NONE'] } },
            CINdetails: [
              {
                CINreferralDate: '2025-05-01',
                ReferralSource: '6',
                PrimaryNeedCode: 'N1',
                CINclosureDate: '2026-02-01',
                ReasonForClosure: 'RC1',
                DateOfInitialCPC: '2025-06-01',
                ReferralNFA: 'false',
                Assessments: [
                  { AssessmentActualStartDate: '2025-05-02', AssessmentAuthorisationDate: '2025-05-20', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['1A', '2B', '3C'] } },
                  { AssessmentActualStartDate: '2025-07-02', AssessmentInternalReviewDate: '2025-07-09' },
                  { AssessmentActualStartDate: '2025-08-02', FactorsIdentifiedAtAssessment: { AssessmentFactors: ['21'] } },
                ],
                CINPlanDates: [{ CINPlanStartDate: '2025-06-01', CINPlanEndDate: '2025-09-01' }, { CINPlanStartDate: '2025-10-01' }],
                Section47: [
                  { S47ActualStartDate: '2025-05-03', InitialCPCtarget: '2025-05-20', DateOfInitialCPC: '2025-05-19', ICPCnotRequired: 'false' },
                  { S47ActualStartDate: '2025-08-03', ICPCnotRequired: 'true' },
                ],
                ChildProtectionPlans: [
                  { CPPstartDate: '2025-05-19', CPPendDate: '2025-12-01', InitialCategoryOfAbuse: 'NEG', LatestCategoryOfAbuse: 'EMO', NumberOfPreviousCPP: '1', Reviews: { CPPreviewDate: ['2025-08-01', '2025-11-01'] } },
                ],
                PreProceedingsandFGDM: [{ PPStartDate: '2025-09-01', LBPSentDate: '2025-09-02', PPOutcome: '1' }, { FGDMMeetingOffer: 'true' }],
              },
              { CINreferralDate: '2026-03-01', ReferralSource: '1A', ReferralNFA: 'true' },
            ],
          },
          { ChildIdentifiers: { LAchildID: 'K2', GenderCurrent: '2' }, ChildCharacteristics: { Ethnicity: 'XXXX' }, CINdetails: [] },
        ],
      },
    },
  };
  // no Source in the header (LA code from the agency), and a header naming two LAs
  const noSource = structuredClone(full) as any;
  delete noSource.Message.Header.Source;
  const twoSources = structuredClone(full) as any;
  twoSources.Message.Header.Source.push({ SourceLevel: 'L', LEA: '384' });
  twoSources.Message.Children.Child[0].CINdetails[0].Section47[1].DateOfInitialCPC = '2025-08-20';
  return [full, noSource, twoSources, { Message: { Children: { Child: [] } } }];
}

function cpisTrees(): unknown[] {
  const nhs = testNhsNumber(1);
  return [
    readCpisCsv(
      cpisCsv([
        { nhs_number: nhs, nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-01-01', end_date: '2026-06-01', la_code: '383', local_id: 'P1' },
        { nhs_number: nhs, plan_type: 'LAC', start_date: '2026-02-01', la_code: '383' },
        { nhs_number: ` ${nhs.slice(0, 3)} ${nhs.slice(3)}`, plan_type: 'cpp', start_date: '2026-03-01' },
        { nhs_number: nhs, plan_type: 'XYZ', start_date: '2026-03-01', la_code: '383', local_id: 'P2' },
        { plan_type: 'UCPP' },
      ]),
    ).tree,
    { records: [{ line: 2, values: { nhs_number: nhs, plan_type: 'CPP', start_date: '2026-01-01' } }, { line: 3, values: {} }] },
  ];
}

function ssda903Trees(): unknown[] {
  return [
    readSsda903Csv(episodesCsv([{ child: 'C1', decom: '01/02/2025' }, { child: 'C2', decom: '01/03/2025', ls: 'V2', dec: '01/04/2025' }])).tree,
    {
      tables: {
        Header: [
          { _line: 2, CHILD: 'C1', UPN: 'A123456789012', DOB: '2015-01-01', SEX: '1', ETHNIC: 'WBRI' },
          { _line: 3, CHILD: 'C2', SEX: '2' },
        ],
        Episodes: [
          { _line: 2, CHILD: 'C1', DECOM: '2025-01-01', RNE: 'S', LS: 'C2', CIN: 'N1', PLACE: 'U1', PLACE_PROVIDER: 'PR1' },
          { _line: 3, CHILD: 'C1', DECOM: '2025-03-01', RNE: 'P', LS: 'V2', CIN: 'N1', PLACE: 'U1', DEC: '2025-04-01', REC: 'E8' },
          { _line: 4, CHILD: 'C2', DECOM: '2025-05-01', LS: 'J1', REASON_PLACE_CHANGE: 'CARPL' },
          { _line: 5, CHILD: 'C2', DECOM: '2025-06-01', LS: '' },
        ],
        Reviews: [{ _line: 2, CHILD: 'C1', REVIEW: '2025-02-01', REVIEW_CODE: 'PN1' }],
        Missing: [{ _line: 2, CHILD: 'C1', MIS_START: '2025-02-10', MIS_END: '2025-02-11', MISSING: 'M' }],
      },
    },
  ];
}

function fhirTrees(): unknown[] {
  const nhs = testNhsNumber(10);
  const other = testNhsNumber(20);
  const patient = { ...ukCorePatient(nhs, 'K1'), id: 'p1', extension: [{ url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory', valueCodeableConcept: { coding: [{ code: 'A' }] } }] };
  const oldSystemPatient = {
    resourceType: 'Patient',
    identifier: [
      { system: 'http://fhir.nhs.net/Id/nhs-number', value: other },
      { system: 'https://la.example/Id/child', value: 'C9' },
    ],
    name: [{ family: 'Other', given: ['A', 'B'] }, { use: 'nickname', given: ['Ab'] }],
    address: [{ line: ['1 Road', 'Flat 2'], city: 'Leeds', postalCode: 'LS1 1AA', period: { start: '2020-01-01', end: '2021-01-01' } }],
  };
  const subject = { identifier: { system: NHS_SYSTEM, value: nhs, extension: VERIFIED } };
  const encounter = (extra: Record<string, unknown>) => ({ resourceType: 'Encounter', status: 'finished', class: { code: 'EMER' }, period: { start: '2026-11-20T09:30:00Z' }, ...extra });
  const consent = (extra: Record<string, unknown>) => ({ resourceType: 'Consent', scope: { coding: [{ code: 'patient-privacy' }] }, patient: subject, ...extra });
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { fullUrl: 'urn:uuid:p1', resource: patient },
      { fullUrl: 'urn:uuid:p2', resource: oldSystemPatient },
      { fullUrl: 'urn:uuid:e1', resource: encounter({ identifier: [{ system: 'https://trust.example/visit', value: 'V1' }], subject: { reference: 'urn:uuid:p1' }, serviceProvider: { identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RR8' } } }) },
      { fullUrl: 'urn:uuid:e2', resource: encounter({ id: 'e2', subject }) },
      { fullUrl: 'urn:uuid:e3', resource: encounter({ subject, location: [{ location: { display: 'ED' } }] }) },
      { resource: encounter({ subject: { identifier: { system: 'http://fhir.nhs.net/Id/nhs-number', value: other } } }) },
      { resource: { resourceType: 'RelatedPerson', id: 'r1', patient: { reference: 'Patient/p1' }, relationship: [{ coding: [{ code: 'MTH' }] }], name: [{ family: 'Mum', given: ['M'] }], telecom: [{ system: 'email', value: 'a@b' }, { system: 'phone', value: '0113' }] } },
      { fullUrl: 'urn:uuid:c1', resource: consent({ status: 'active', provision: { type: 'deny', purpose: [{ code: 'TREAT' }], period: { start: '2026-01-01' } } }) },
      { resource: consent({ id: 'c2', status: 'active', provision: { type: 'permit' }, performer: [{ display: 'Dr A', reference: 'Practitioner/1' }], category: [{ coding: [{ code: 'x' }, { code: 'y' }] }] }) },
      { resource: consent({ status: 'rejected', identifier: [{ system: 'https://la.example/consent', value: 'C3' }] }) },
      { resource: consent({ status: 'inactive', performer: [{ reference: 'Practitioner/2' }] }) },
      { resource: consent({ status: 'draft' }) },
      { resource: consent({ status: 'active', extension: [{ url: 'https://sgw.example/fhir/StructureDefinition/consent-not-sought-reason', valueCode: 'urgent' }] }) },
      { resource: careTeam(nhs, { id: 'plan-1', status: 'active', end: '2026-12-01' }) },
      { resource: careTeam(other, { status: 'entered-in-error', verified: false }) },
      { resource: { ...careTeam(nhs), category: [{ coding: [{ system: 'http://snomed.info/sct', code: '1' }, { system: 'http://snomed.info/sct', code: '2' }] }] } },
    ],
  };
  return [fhirMappingTree(bundle), fhirMappingTree(planBundle(nhs) as unknown as fhir4.Resource), fhirMappingTree(ukCorePatient(other, 'K2') as unknown as fhir4.Resource)];
}

/** The police notification golden inputs, plus values that do not convert (kept as sent). */
async function policeXmlTrees(): Promise<unknown[]> {
  const dir = join(DEFAULT_MAPPINGS_DIR, 'police-notification', '1.0', 'cases');
  const files = readdirSync(dir).filter((f) => f.endsWith('.input.xml'));
  const trees = await Promise.all(files.map(async (f) => (await readPoliceNotificationXml(readFileSync(join(dir, f)))).tree));
  const odd = await readPoliceNotificationXml(
    '<PoliceNotification xmlns="https://sgw.example/ns/police-notification/1"><Persons><Person><EstimatedAge>ten</EstimatedAge><Present>maybe</Present></Person><Person><Present>no</Present></Person></Persons><RiskGrade><DASHYesCount>1.5</DASHYesCount></RiskGrade><FamilyTold>0</FamilyTold></PoliceNotification>',
  );
  return [...trees, odd.tree];
}

async function samples(): Promise<Record<string, unknown[]>> {
  const cin = await readCinCensus(cinCensus([{ id: 'K1', upn: 'A123456789012', cpp: { start: '2025-06-01', end: '2025-12-01' } }, { id: 'K2' }], { year: 2025 }));
  return {
    hl7v2: hl7Trees(),
    'cin-census-xml': [cin.tree, ...cinTrees()],
    'cpis-csv': cpisTrees(),
    'ssda903-csv': ssda903Trees(),
    'fhir-r4': fhirTrees(),
    'police-xml': await policeXmlTrees(),
  };
}

/** Every object and string in a tree, each with its ancestors (nearest first). */
function nodes(tree: unknown): { node: unknown; ancestors: unknown[] }[] {
  const out: { node: unknown; ancestors: unknown[] }[] = [];
  const visit = (node: unknown, ancestors: unknown[]) => {
    if (Array.isArray(node)) {
      for (const x of node) visit(x, ancestors);
      return;
    }
    if (typeof node === 'string' || (typeof node === 'object' && node !== null)) out.push({ node, ancestors });
    if (typeof node === 'object' && node !== null) for (const v of Object.values(node)) visit(v, [node, ...ancestors]);
  };
  visit(tree, []);
  return out;
}

/** The %names an expression reads besides %root and the agency's. */
function blockVariables(text: string): string[] {
  const names = new Set([...text.matchAll(/%([A-Za-z_]\w*)/g)].map((m) => m[1]!));
  for (const n of ['root', 'agency', 'agencyCode']) names.delete(n);
  return [...names];
}

describe('the fast expression evaluator against the FHIRPath engine', () => {
  it('gives the engine’s result for every expression of every shipped mapping, and most are fast', async () => {
    const registry = loadMappingRegistry();
    const trees = await samples();
    const all = registry.mappings.flatMap((m) => m.expressions);

    // 1. The contexts the engine really evaluates each expression in, by running every
    //    mapping over the samples with each expression's evaluate() recorded.
    const seen = new Map<CompiledExpression, { item: unknown; env: Env }[]>();
    for (const mapping of registry.mappings) {
      const sampleTrees = trees[mapping.format];
      expect(sampleTrees, `sample trees for ${mapping.format}`).toBeDefined();
      const originals = mapping.expressions.map((e) => e.evaluate.bind(e));
      mapping.expressions.forEach((e, i) => {
        e.evaluate = (item, env) => {
          const list = seen.get(e) ?? [];
          list.push({ item, env });
          seen.set(e, list);
          try {
            return originals[i]!(item, env);
          } catch {
            return []; // compared below; the run goes on
          }
        };
      });
      for (const tree of sampleTrees!) runMapping(mapping, tree, AGENCY);
      mapping.expressions.forEach((e, i) => (e.evaluate = originals[i]!));
    }
    const unreached = all.filter((e) => !seen.has(e)).map((e) => e.text);
    expect(unreached, 'expressions the sample trees never reach').toEqual([]);

    // 2. Those contexts, and every node of every sample tree as the item (with each block
    //    variable the expression names bound to the node or one of its ancestors).
    const mismatches: string[] = [];
    let compared = 0;
    const compare = (e: CompiledExpression, item: unknown, env: Env) => {
      compared += 1;
      const fast = outcome(() => e.evaluate(item, env));
      const engine = outcome(() => evaluateWithFhirpath(e.text, item, env, registry.conceptMaps));
      if (!isDeepStrictEqual(fast, engine) && mismatches.length < 20) {
        mismatches.push(`${e.text}\n  item ${JSON.stringify(item)?.slice(0, 200)}\n  fast   ${JSON.stringify(fast)}\n  engine ${JSON.stringify(engine)}`);
      }
    };
    for (const mapping of registry.mappings) {
      for (const e of mapping.expressions) {
        for (const { item, env } of seen.get(e) ?? []) compare(e, item, env);
        const variables = blockVariables(e.text);
        for (const tree of trees[mapping.format]!) {
          for (const { node, ancestors } of nodes(tree)) {
            const bindings = variables.length === 0 ? [undefined] : [node, ...ancestors.slice(0, 3)];
            for (const b of bindings) compare(e, node, { ...AGENCY, root: tree, ...Object.fromEntries(variables.map((v) => [v, b])) });
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);

    const fast = all.filter((e) => e.fast).length;
    expect(fast / all.length, `${fast} of ${all.length} shipped expressions fast; not: ${all.filter((e) => !e.fast).map((e) => e.text).join(' ;; ')}`).toBeGreaterThanOrEqual(0.9);
  });
});

// ---------------------------------------------------------------------------------------
// Each construct on its own, with the engine's result spelled out.
// ---------------------------------------------------------------------------------------

const sexMap = compileConceptMap(
  {
    resourceType: 'ConceptMap',
    id: 'test-sex',
    url: 'https://sgw.example/fhir/ConceptMap/test-sex',
    version: '1.0.0',
    name: 'TestSex',
    status: 'active',
    group: [{ element: [{ code: 'M', target: [{ code: 'male', equivalence: 'equivalent' }] }, { code: 'F', target: [{ code: 'female', equivalence: 'equivalent' }] }, { code: 'X', target: [{ equivalence: 'unmatched' }] }] }],
  },
  'test',
);
const maps = new Map<string, CompiledConceptMap>([['test-sex', sexMap]]);

const item = {
  s: 'M',
  t: 'F',
  e: '',
  yes: true,
  no: false,
  n: 7,
  d: 5.1,
  many: ['a', 'b'],
  trues: [true, true],
  codes: ['M', 'Q', 'F', 'X'],
  F3: [{ C1: '9990000018', C4: 'NHS', C5: 'NH' }, { C1: 'H1', C4: 'RR8', C5: 'MR' }, { C1: 'H2' }],
  refs: [{ reference: 'Patient/1' }, { reference: 'Patient/1' }, { reference: 'Patient/2' }],
};
const env: Env = { root: { MSH: [{ F4: [{ C1: 'RR8' }], F9: [{ C1: 'ADT', C2: 'A03' }] }] }, code: 'A03', none: null, list: ['x', 'y'] };

/** Asserts the expression is fast and gives `expected` ({ error } for an error), as the engine does. */
function same(text: string, expected: unknown[] | { error: true }, at: unknown = item, vars: Env = env): void {
  const e = compileExpression(text, maps);
  expect(e.fast, `${text} should be fast`).toBe(true);
  const fast = outcome(() => e.evaluate(at, vars));
  const engine = outcome(() => evaluateWithFhirpath(text, at, vars, maps));
  expect(fast, text).toEqual(engine);
  if (Array.isArray(expected)) expect(fast, text).toEqual({ value: expected });
  else expect('error' in fast, `${text} should fail`).toBe(true);
}

describe('fast expression constructs', () => {
  it('literals: strings with FHIRPath escapes, booleans, {}', () => {
    same("'text'", ['text']);
    same("'it\\'s' + ' \\\\ ' + '\\u0041\\t'", ["it's \\ A\t"]);
    same('true', [true]);
    same('false', [false]);
    same('{}', []);
    same('{ }', []);
  });

  it('paths from the item, %variables and $this, with where(), first() and exists()', () => {
    same('F3.C1', ['9990000018', 'H1', 'H2']);
    same("F3.where(C5 = 'NH').C1", ['9990000018']);
    same("F3.where(C5 != 'NH').C1", ['H1']); // an absent C5 is neither equal nor unequal
    same('F3.first().C4', ['NHS']);
    same('F3.C5.first()', ['NH']);
    same('missing.first()', []);
    same('F3.C4.exists()', [true]);
    same('F3.C9.exists()', [false]);
    same("F3.where(C4.exists() and C5 = 'MR').C1", ['H1']);
    same('%root.MSH.F9.C2', ['A03']);
    same('%code', ['A03']);
    same('%none', []);
    same('%list', ['x', 'y']);
    same('%missing', { error: true });
    same('$this.s', ['M']);
    same('(s)', ['M']);
    same('s.x', []);
  });

  it('translate(), join(), toString() and select()', () => {
    same("s.translate('test-sex')", ['male']);
    same("codes.translate('test-sex')", ['male', 'female']); // unknown and unmatched codes give nothing
    same("missing.translate('test-sex')", []);
    same("s.translate('no-such-map')", { error: true });
    same("many.join(', ')", ['a, b']);
    same('many.join()', ['ab']);
    same("missing.join(',')", []);
    same("F3.join(',')", { error: true }); // not strings
    same('n.toString()', ['7']);
    same('d.toString()', ['5.1']);
    same('yes.toString()', ['true']);
    same('s.toString()', ['M']);
    same('missing.toString()', []);
    same('many.toString()', { error: true });
    same("many.select('x|' + $this)", ['x|a', 'x|b']);
    same("F3.select(C4 + '/' + C1)", ['NHS/9990000018', 'RR8/H1']);
  });

  it('+ concatenates single strings; an empty operand gives empty', () => {
    same("'a' + s", ['aM']);
    same("'a' + missing", []);
    same("missing + 'a'", []);
    same("{} + 'a'", []);
    same("'a' + e", ['a']);
    same("missing + many", []); // empty wins over the multi-valued side, as in the engine
    same("'a' + many", { error: true });
  });

  it('= and != compare singletons; empty operands give empty; collections item by item', () => {
    same("s = 'M'", [true]);
    same("s != 'M'", [false]);
    same("s = 'm'", [false]);
    same("missing = 'M'", []);
    same("'M' != missing", []);
    same('yes = true', [true]);
    same("yes = 'true'", [false]);
    same("many = ('a' | 'b')", [true]);
    same("many = ('b' | 'a')", [false]);
    same("many != 'a'", [true]);
    same("'a' + 'b' = 'ab'", [true]); // + binds tighter than =
  });

  it('in tests membership of a literal list', () => {
    same("%code in ('A01' | 'A03' | 'A04')", [true]);
    same("s in ('A01' | 'A03')", [false]);
    same("missing in ('A01' | 'A03')", []);
    same('s in {}', [false]);
    same("many in ('a' | 'b')", { error: true });
    same("s in 'M'", [true]);
  });

  it('and / or follow three-valued logic', () => {
    const t = 'yes';
    const f = 'no';
    const e = 'missing';
    same(`${t} or ${e}`, [true]);
    same(`${e} or ${t}`, [true]);
    same(`${f} or ${e}`, []);
    same(`${e} or ${e}`, []);
    same(`${f} or ${f}`, [false]);
    same(`${t} and ${e}`, []);
    same(`${f} and ${e}`, [false]);
    same(`${e} and ${f}`, [false]);
    same(`${e} and ${e}`, []);
    same(`${t} and ${t}`, [true]);
    same('s or no', [true]); // a single non-Boolean value counts as true
    same('many or no', { error: true });
    same("s = 'x' or s = 'M' and no", [false]); // and binds tighter than or
  });

  it('iif() takes its then-branch only on the single value true', () => {
    same("iif(yes, 'y', 'n')", ['y']);
    same("iif(no, 'y', 'n')", ['n']);
    same("iif(missing, 'y', 'n')", ['n']);
    same("iif(s, 'y', 'n')", ['n']); // a string is not true here
    same("iif(missing, 'y')", []);
    same("iif(trues, 'y', 'n')", ['n']); // several trues are not the single value true
    same("iif(F3.C4.exists(), F3.C4.first(), %root.MSH.F4.C1)", ['NHS']);
    same("iif(F3.C9.exists(), F3.C9, %root.MSH.F4.C1) + '/x'", ['RR8/x']);
    same("iif(s = 'M', iif(t = 'F', 'both', 'one'), {})", ['both']);
  });

  it('| unions collections without duplicates, objects compared by value', () => {
    same("'a' | 'b' | 'a'", ['a', 'b']);
    same("many | 'c' | many", ['a', 'b', 'c']);
    same('missing | {}', []);
    same('refs | {}', [{ reference: 'Patient/1' }, { reference: 'Patient/2' }]);
    same('refs.reference | refs.reference', ['Patient/1', 'Patient/2']);
    same('(F3 | F3).C1', ['9990000018', 'H1', 'H2']);
  });

  it('evaluates the shapes the HL7 v2 mapping has used', () => {
    const tree = readHl7v2(adt({ event: 'A04' })).tree as any;
    const pv1 = tree.PV1[0];
    const vars = { root: tree, ...AGENCY };
    same("iif(F19.C1.exists(), 'visit|' + F19.C1, 'arrival|' + %root.PID.F3.C1.first() + '|' + F44.C1)", ['visit|V0001'], pv1, vars);
    same("iif(F3.C4.exists(), F3.C4, %root.MSH.F4.C1)", ['RR8'], pv1, vars);
    same("iif(F45.exists() or %root.MSH.F9.C2 = 'A03', 'finished', 'open')", ['open'], pv1, vars);
    const pid3 = { C1: 'H1' };
    same("'https://sgw.example/fhir/Id/local-patient-identifier/' + iif(C4.exists(), C4, %root.MSH.F4.C1) + '/' + iif(C5.exists(), C5, 'PI')", ['https://sgw.example/fhir/Id/local-patient-identifier/RR8/PI'], pid3, vars);
  });

  it('leaves values outside the subset to the engine, with the engine’s result', () => {
    // numbers in operators, `_element` siblings, nulls in arrays: the engine decides
    same("'a' + n", { error: true }); // the engine tries decimal addition
    same('n = n', [true]);
    same('n in (n | n)', [true]);
    same('n.x', []);
    same('birthDate', ['2015-03-04'], { birthDate: '2015-03-04', _birthDate: { extension: [{ url: 'x' }] } });
    same('a.first()', [], { a: [null, 'x'] });
    same('a.exists()', [true], { a: [null, 'x'] });
    same('Patient.id', ['p'], { resourceType: 'Patient', id: 'p' });
  });

  it('compiles anything else with the engine', () => {
    const names = { name: [{ given: ['A', 'B'] }, { given: ['C'] }] };
    for (const text of ['name.given.count()', 'name.given[0]', "name.given.where($this = 'A' xor true)", 'name.given.length', 'String', "name.given.first() ~ 'a'", 'name.given.exists($this = \'A\')', "'a\\q'"]) {
      const e = compileExpression(text, maps);
      expect(e.fast, text).toBe(false);
      expect(outcome(() => e.evaluate(names, {}))).toEqual(outcome(() => evaluateWithFhirpath(text, names, {}, maps)));
    }
    expect(compileExpression('name.given.count()', maps).evaluate(names, {})).toEqual([3]);
  });
});
