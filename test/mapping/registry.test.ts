import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMappingRegistry } from '../../src/mapping/registry.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A mappings folder with one mapping file and the shipped ConceptMaps. */
function folder(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgw-mappings-'));
  dirs.push(dir);
  fs.cpSync(path.join(import.meta.dirname, '../../mappings/conceptmaps'), path.join(dir, 'conceptmaps'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'test', '1.0'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'test', '1.0', 'bad.yaml'), yaml);
  return dir;
}

const HEAD = 'id: test-bad\nversion: 1.0.0\nsourceSpec: test\nformat: hl7v2\n';

describe('loading the mappings at start-up', () => {
  it('loads and compiles every shipped mapping, once per format', () => {
    const registry = loadMappingRegistry();
    expect(registry.mappings.map((m) => m.label).sort()).toEqual(['cin-census-child@1.1.0', 'cpis-upload-plans@1.0.0', 'fhir-r4-uk-core@1.1.0', 'hl7v2-adt@1.0.0', 'police-notification-xml@1.0.0', 'ssda903-tables@1.0.0']);
    expect(registry.forFormat('fhir-r4-xml')).toBe(registry.forFormat('fhir-r4-json'));
    expect(registry.forFormat('ssda903-xml').map((m) => m.id)).toEqual(['ssda903-tables']);
  });

  it.each([
    ['a target that is not a field path', `${HEAD}records:\n  - name: p\n    type: Person\n    fields:\n      - { id: x, source: PID.F3, target: "identifiers..value" }\n`, /test\/1\.0\/bad\.yaml: records\.0\.fields\.0\.target: a target is a canonical field path/],
    ['an unknown record type', `${HEAD}records:\n  - name: p\n    type: Patient\n    fields:\n      - { id: x, source: PID.F3, target: sex }\n`, /bad\.yaml: records\.0\.type/],
    ['a ConceptMap that does not exist', `${HEAD}records:\n  - name: p\n    type: Person\n    fields:\n      - { id: x, source: PID.F8, conceptMap: no-such-map, target: sex }\n`, /bad\.yaml: rule x names ConceptMap no-such-map, which is not in mappings\/conceptmaps/],
    ['an expression that is not FHIRPath', `${HEAD}records:\n  - name: p\n    type: Person\n    fields:\n      - { id: x, source: "PID..F8", target: sex }\n`, /bad\.yaml: not a valid FHIRPath expression: PID\.\.F8/],
    ['a version that is not semantic', HEAD.replace('1.0.0', 'v1') + `records:\n  - name: p\n    type: Person\n    fields:\n      - { id: x, source: PID.F8, target: sex }\n`, /bad\.yaml: version: a mapping version is semantic/],
    ['broken YAML', `${HEAD}records: [\n`, /bad\.yaml: not valid YAML/],
  ])('stops at %s, naming the file and the field', (_what, yaml, message) => {
    expect(() => loadMappingRegistry(folder(yaml))).toThrow(message);
  });
});
