import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_ROOT } from '../paths.js';
import type { CompiledConceptMap } from './concept-maps.js';
import { loadConceptMaps } from './concept-maps.js';
import type { CompiledMapping } from './engine.js';
import { compileMapping } from './engine.js';
import { MappingSpecSchema } from './spec.js';

export const DEFAULT_MAPPINGS_DIR = join(PACKAGE_ROOT, 'mappings');

/** Every mapping of a deployment, compiled once at start-up, and the ConceptMaps they use. */
export interface MappingRegistry {
  dir: string;
  mappings: CompiledMapping[];
  conceptMaps: ReadonlyMap<string, CompiledConceptMap>;
  /** The mappings for one source, in file order. */
  forFormat(format: string): CompiledMapping[];
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'conceptmaps' && name !== 'cases') out.push(...yamlFiles(p));
    } else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(p);
  }
  return out;
}

/**
 * Loads `mappings/**\/*.yaml` and `mappings/conceptmaps/*.json`, validating each with zod
 * and compiling every expression. A bad file stops start-up with a message naming the
 * file, the field and the rule.
 */
export function loadMappingRegistry(dir: string = DEFAULT_MAPPINGS_DIR): MappingRegistry {
  const conceptMaps = loadConceptMaps(join(dir, 'conceptmaps'));
  const mappings: CompiledMapping[] = [];
  const labels = new Set<string>();
  for (const file of yamlFiles(dir)) {
    const name = relative(dir, file);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`mappings/${name}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const parsed = MappingSpecSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new Error(`mappings/${name}: ${problems.join('; ')}`);
    }
    const compiled = compileMapping(parsed.data, conceptMaps, `mappings/${name}`);
    if (labels.has(compiled.id)) throw new Error(`mappings/${name}: mapping id ${compiled.id} is used by another file`);
    labels.add(compiled.id);
    mappings.push(compiled);
  }
  // FHIR XML and JSON share the `fhir-r4` mappings; the SSDA903 XML form reads into the same tables as the CSV.
  const family = (format: string) => (format === 'fhir-r4-json' || format === 'fhir-r4-xml' ? 'fhir-r4' : format === 'ssda903-xml' ? 'ssda903-csv' : format);
  // One array per family, so callers can cache what they derive from it.
  const byFamily = new Map<string, CompiledMapping[]>();
  return {
    dir,
    mappings,
    conceptMaps,
    forFormat: (format) => {
      const key = family(format);
      let list = byFamily.get(key);
      if (!list) {
        list = mappings.filter((m) => family(m.format) === key);
        byFamily.set(key, list);
      }
      return list;
    },
  };
}
