import { describe, expect, it } from 'vitest';
import { compileConceptMap } from '../../src/mapping/concept-maps.js';
import type { CompiledConceptMap } from '../../src/mapping/concept-maps.js';
import { compileMapping, runMapping, unconsumedInput } from '../../src/mapping/engine.js';
import { compileExpression, readsOf } from '../../src/mapping/expression.js';
import { MappingSpecSchema } from '../../src/mapping/spec.js';
import { applyTransform } from '../../src/mapping/transforms.js';

const sexMap = compileConceptMap(
  {
    resourceType: 'ConceptMap',
    id: 'test-sex',
    url: 'https://sgw.example/fhir/ConceptMap/test-sex',
    version: '1.0.0',
    name: 'TestSex',
    status: 'active',
    group: [{ element: [{ code: 'M', target: [{ code: 'male', equivalence: 'equivalent' }] }, { code: 'X', target: [{ equivalence: 'unmatched' }] }] }],
  },
  'test',
);
const maps = new Map<string, CompiledConceptMap>([['test-sex', sexMap]]);

function mapping(spec: unknown) {
  return compileMapping(MappingSpecSchema.parse(spec), maps, 'test.yaml');
}

const tree = {
  Kids: [
    { Id: 'K1', Sex: 'M', Dob: '2015-03-04', Ids: [{ t: 'A', v: '1' }, { t: 'B', v: '2' }], Visits: [{ On: '2026-01-02' }, { On: '2026-02-03' }], Extra: 'unused' },
    { Id: 'K2', Sex: 'Q', Dob: '2015-02-30' },
  ],
};

const kidMapping = {
  id: 'test-kids',
  version: '1.0.0',
  sourceSpec: 'test',
  format: 'cin-census-xml',
  records: [
    {
      name: 'kid',
      type: 'Person',
      each: 'Kids',
      fields: [
        { id: 'kid-id', source: 'Id', target: 'identifiers[la].value' },
        { id: 'kid-system', value: 'urn:test', target: 'identifiers[la].system' },
        { id: 'kid-upn-system', value: 'urn:upn', target: 'identifiers[upn].system' },
        { id: 'kid-sex', source: 'Sex', conceptMap: 'test-sex', target: 'sex' },
        { id: 'kid-dob', source: 'Dob', transform: 'date', target: 'birthDate' },
        { id: 'kid-ids', each: "Ids.where(t = 'B')", target: 'identifiers[+]', fields: [{ id: 'kid-b', source: 'v', target: 'value' }, { id: 'kid-b-system', value: 'urn:b', target: 'system' }] },
      ],
      records: [
        {
          name: 'visit',
          type: 'CaseEvent',
          each: 'Visits',
          key: ['%kid.Id', 'On'],
          fields: [
            { id: 'visit-subject', ref: 'kid', target: 'subjectPersonId' },
            { id: 'visit-kind', value: 'referral', target: 'kind' },
            { id: 'visit-date', source: 'On', transform: 'date', target: 'date' },
          ],
        },
      ],
    },
  ],
};

describe('mapping engine', () => {
  it('builds one record per item, with every field traced to its mapping, rule and source path', () => {
    const run = runMapping(mapping(kidMapping), tree);
    const kid = run.drafts.find((d) => d.type === 'Person' && d.sourcePath === 'Kids[0]');
    expect(kid?.fields).toEqual({
      identifiers: [{ value: 'K1', system: 'urn:test' }, { value: '2', system: 'urn:b' }],
      sex: 'male',
      birthDate: '2015-03-04',
    });
    expect(kid?.lineage).toContainEqual({ field: 'identifiers[la].value', mapping: 'test-kids@1.0.0', rule: 'kid-id', source: 'Kids[0].Id' });
    expect(kid?.lineage).toContainEqual({ field: 'identifiers[1].value', mapping: 'test-kids@1.0.0', rule: 'kid-b', source: "Kids[0].(Ids.where(t = 'B'))[0].v" });
    const visits = run.drafts.filter((d) => d.type === 'CaseEvent');
    expect(visits.map((v) => [v.sourcePath, v.keyValues, v.fields.date])).toEqual([
      ['Kids[0].Visits[0]', ['K1', '2026-01-02'], '2026-01-02'],
      ['Kids[0].Visits[1]', ['K1', '2026-02-03'], '2026-02-03'],
    ]);
    expect(visits[0]?.refs[0]?.enclosing).toBe(kid);
  });

  it('a constant never opens a labelled element by itself', () => {
    const run = runMapping(mapping(kidMapping), tree);
    const kid = run.drafts.find((d) => d.sourcePath === 'Kids[0]');
    expect(JSON.stringify(kid?.fields)).not.toContain('urn:upn');
  });

  it('names the rule, path, expected and received value for a bad code or date, and leaves the record out', () => {
    const run = runMapping(mapping(kidMapping), tree);
    expect(run.drafts.some((d) => d.sourcePath === 'Kids[1]')).toBe(false);
    expect(run.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: 'error', code: 'code-invalid', expression: ['Kids[1].Sex'], diagnostics: expect.stringMatching(/"Q" is not one ConceptMap test-sex knows \(expected one of M, X\).*rule kid-sex/) }),
        expect.objectContaining({ severity: 'error', code: 'value', expression: ['Kids[1].Dob'], diagnostics: expect.stringMatching(/expected a real date YYYY-MM-DD, received "2015-02-30"/) }),
      ]),
    );
  });

  it('a code the ConceptMap lists as unmatched is dropped without an error', () => {
    const run = runMapping(mapping(kidMapping), { Kids: [{ Id: 'K3', Sex: 'X' }] });
    expect(run.issues).toEqual([]);
    expect(run.drafts[0]?.fields.sex).toBeUndefined();
  });

  it('reports input no rule consumed, once per path with a count, never the value', () => {
    const m = mapping(kidMapping);
    const twoExtras = { Kids: [...tree.Kids, { Id: 'K4', Extra: 'also unused' }] };
    const issues = unconsumedInput(twoExtras, m.consumed, m.consumedPrefixes);
    // Ids.t is read by the where() filter, so it counts as consumed; Extra is read by nothing.
    expect(issues).toEqual([
      expect.objectContaining({ severity: 'warning', expression: ['Kids[0].Extra'], diagnostics: expect.stringContaining('2 values at Kids.Extra are not mapped') }),
    ]);
    expect(JSON.stringify(issues)).not.toContain('unused');
    expect(unconsumedInput(twoExtras, m.consumed, ['Kids.Extra'])).toEqual([]);
  });

  it('refuses a mapping file with a rule that has both a source and a constant, naming the field', () => {
    const bad = { ...kidMapping, records: [{ name: 'kid', type: 'Person', fields: [{ id: 'x', source: 'Id', value: 'y', target: 'sex' }] }] };
    const parsed = MappingSpecSchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/exactly one of source, value, ref or each/);
  });

  it('refuses a record block without a key for a non-Person record', () => {
    const bad = { ...kidMapping, records: [{ name: 'visit', type: 'CaseEvent', fields: [{ id: 'x', source: 'On', target: 'date' }] }] };
    expect(MappingSpecSchema.safeParse(bad).error?.issues[0]?.message).toMatch(/needs a key/);
  });
});

describe('source expressions', () => {
  it('most rules are walked without the FHIRPath engine; the rest compile through it (equivalence: expression.test.ts)', () => {
    expect(compileExpression("F3.where(C5 = 'NH').C1", maps).fast).toBe(true);
    expect(compileExpression('name.given.count()', maps).fast).toBe(false);
  });

  it('knows which source paths an expression reads', () => {
    expect(readsOf("F3.where(C5 = 'NH').C1")).toEqual(['F3.C5', 'F3.C1']);
    expect(readsOf("iif(F45.exists(), 'finished', F2.C1)")).toEqual(['F45', 'F2.C1']);
    expect(readsOf('%root.MSH.F9.C2')).toEqual([]);
  });

  it('refuses a mapping whose expression is not FHIRPath, naming the file', () => {
    const bad = { ...kidMapping, records: [{ name: 'kid', type: 'Person', fields: [{ id: 'x', source: 'Id..x', target: 'sex' }] }] };
    expect(() => mapping(bad)).toThrow(/test\.yaml: not a valid FHIRPath expression: Id\.\.x/);
  });
});

describe('transforms', () => {
  it('reads HL7 v2 timestamps as UK local time when they carry no offset', () => {
    expect(applyTransform('hl7-datetime', '20260715093000')).toEqual({ ok: true, value: '2026-07-15T09:30:00+01:00' });
    expect(applyTransform('hl7-datetime', '20261120103000')).toEqual({ ok: true, value: '2026-11-20T10:30:00+00:00' });
    expect(applyTransform('hl7-datetime', '202611201030-0500')).toEqual({ ok: true, value: '2026-11-20T10:30:00-05:00' });
    expect(applyTransform('hl7-datetime', '20260230103000').ok).toBe(false);
  });

  it('checks dates, NHS numbers and postcodes', () => {
    expect(applyTransform('dmy-date', '31/03/2025')).toEqual({ ok: true, value: '2025-03-31' });
    expect(applyTransform('dmy-date', '30/02/2023').ok).toBe(false);
    expect(applyTransform('date', '0000-00-00').ok).toBe(false);
    expect(applyTransform('nhs-number', '999 000 0018')).toEqual({ ok: true, value: '9990000018' });
    expect(applyTransform('nhs-number', '9990000019').ok).toBe(false);
    expect(applyTransform('postcode', 'ls11aa')).toEqual({ ok: true, value: 'LS1 1AA' });
    expect(applyTransform('postcode', '99999')).toEqual({ ok: true, value: '99999' });
  });
});

describe('calendar dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2025-04-31', false],
    ['2025-12-31', true],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['0999-12-31', false],
    ['0000-00-00', false],
    ['2025-1-01', false],
  ])('%s is a real date: %s', (ymd, real) => {
    expect(applyTransform('date', ymd).ok).toBe(real);
  });
});
