import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMessages } from '../../src/formats/read.js';
import type { WireFormat } from '../../src/formats/types.js';
import type { RecordDraft } from '../../src/mapping/engine.js';
import { fhirMappingTree } from '../../src/mapping/fhir-tree.js';
import { mapMessage } from '../../src/mapping/map-message.js';
import { DEFAULT_MAPPINGS_DIR, loadMappingRegistry } from '../../src/mapping/registry.js';
import { AttendanceSchema } from '../../src/model/attendance.js';
import { CaseEventSchema } from '../../src/model/case-event.js';
import { ConsentSchema } from '../../src/model/consent.js';
import { PersonSchema } from '../../src/model/person.js';
import { NotificationSubmissionSchema } from '../../src/model/police-notification.js';
import { ProtectionPlanSchema } from '../../src/model/protection-plan.js';
import { RelationshipSchema } from '../../src/model/relationship.js';

/**
 * Golden cases: every `mappings/<source>/<version>/cases/<name>.input.*` is read and mapped,
 * and the result must equal `<name>.expected.json` beside it (UPDATE_GOLDEN=1 rewrites
 * them; review the diff). Every case also passes the shared invariants.
 */
const registry = loadMappingRegistry();

/** The format a case folder's mapping reads, with the file's extension deciding FHIR JSON vs XML. */
const FOLDER_FORMATS: Record<string, WireFormat> = { hl7v2: 'hl7v2', 'cin-census': 'cin-census-xml', ssda903: 'ssda903-csv', 'cpis-upload': 'cpis-csv', 'fhir-r4': 'fhir-r4-json' };
const AGENCY: Partial<Record<WireFormat, string>> = { hl7v2: 'ods:RR8' };

interface Case {
  name: string;
  input: string;
  expected: string;
  format: WireFormat;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const source of readdirSync(DEFAULT_MAPPINGS_DIR)) {
    const base = FOLDER_FORMATS[source];
    if (!base) continue;
    for (const version of readdirSync(join(DEFAULT_MAPPINGS_DIR, source))) {
      const dir = join(DEFAULT_MAPPINGS_DIR, source, version, 'cases');
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => n.includes('.input.'))) {
        const name = f.slice(0, f.indexOf('.input.'));
        const format = base === 'fhir-r4-json' && f.endsWith('.xml') ? 'fhir-r4-xml' : base;
        out.push({ name: relative(DEFAULT_MAPPINGS_DIR, join(dir, name)), input: join(dir, f), expected: join(dir, `${name}.expected.json`), format });
      }
    }
  }
  return out;
}

const SCHEMAS = { Person: PersonSchema, ProtectionPlan: ProtectionPlanSchema, Attendance: AttendanceSchema, CaseEvent: CaseEventSchema, Relationship: RelationshipSchema, Consent: ConsentSchema, PoliceNotificationSubmission: NotificationSubmissionSchema };

/** A draft as the golden file shows it: what a reviewer needs to check a mapping, nothing volatile. */
function view(drafts: RecordDraft[], d: RecordDraft) {
  return {
    type: d.type,
    source: d.sourcePath,
    ...(d.keyValues.length ? { key: d.keyValues } : {}),
    fields: d.fields,
    ...(d.refs.length ? { refs: Object.fromEntries(d.refs.map((r) => [r.target, (r.enclosing ?? drafts.find((x) => x.block === r.block.split('|').find((b) => b === x.block) && r.by?.some((v) => x.localIds.includes(v))))?.sourcePath ?? '(unresolved)'])) } : {}),
    lineage: d.lineage.map((l) => `${l.field} <- ${l.rule} @ ${l.source}`),
  };
}

async function run(c: Case) {
  const [message] = await readMessages(c.format, readFileSync(c.input));
  const agency = AGENCY[c.format] ?? 'la:383';
  const tree = c.format.startsWith('fhir') ? fhirMappingTree(message!.tree as fhir4.Resource) : message!.tree;
  return mapMessage(registry, c.format, tree, { agency, agencyCode: agency.split(':')[1] });
}

const all = cases();

describe('golden cases', () => {
  it('every mapping has at least one case', () => {
    const covered = new Set(all.map((c) => c.name.split('/')[0]));
    // The police notification XML mapping has its own golden test (police-notification-xml.test.ts).
    for (const m of registry.mappings.filter((x) => x.format !== 'police-xml')) expect(covered, m.file).toContain(m.file.split('/')[1]);
  });

  it.each(all.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const mapped = await run(c);
    const actual = { mappings: mapped.mappings, records: mapped.drafts.map((d) => view(mapped.drafts, d)), issues: mapped.issues };
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(c.expected)) writeFileSync(c.expected, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(c.expected, 'utf8')));

    // Shared invariants.
    expect(mapped.issues.filter((i) => i.severity === 'error'), 'a golden case maps without errors').toEqual([]);
    for (const d of mapped.drafts) {
      const where = `${c.name} ${d.sourcePath} ${d.type}`;
      expect(Object.keys(d.fields).length, `${where}: no empty records`).toBeGreaterThan(0);
      // schema-valid once the pipeline adds id, owner, provenance and the referenced people
      const filled = {
        id: 'x',
        owner: 'la:383',
        provenance: { agency: 'la:383', format: c.format, receivedAt: '2026-11-20T10:00:00Z' },
        ...(d.type === 'ProtectionPlan' ? { status: 'recorded' } : {}),
        ...d.fields,
        ...Object.fromEntries(d.refs.map((r) => [r.target, 'person-x'])),
      };
      const parsed = SCHEMAS[d.type].safeParse(filled);
      expect(parsed.error?.issues ?? [], `${where}: schema-valid`).toEqual([]);
      // references resolve
      for (const r of d.refs) expect(view(mapped.drafts, d).refs?.[r.target], `${where}: ${r.target} resolves`).not.toBe('(unresolved)');
      // every field is traced to a rule and a source
      for (const key of Object.keys(d.fields)) expect(d.lineage.some((l) => l.field.split(/[.[]/)[0] === key), `${where}: ${key} has lineage`).toBe(true);
      // every sourced value is traced to a place in the input: inside this record's item, or a named variable
      for (const l of d.lineage.filter((x) => x.source !== '(constant)')) {
        expect(l.source.startsWith(d.sourcePath) || l.source.startsWith('%'), `${where}: ${l.field} from ${l.source}`).toBe(true);
      }
    }
  });
});
