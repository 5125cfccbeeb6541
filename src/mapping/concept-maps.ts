import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const ConceptMapSchema = z.object({
  resourceType: z.literal('ConceptMap'),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  url: z.string().min(1),
  version: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(['draft', 'active', 'retired', 'unknown']),
  group: z
    .array(
      z.object({
        source: z.string().optional(),
        target: z.string().optional(),
        element: z.array(
          z.object({
            code: z.string().min(1),
            display: z.string().optional(),
            target: z
              .array(z.object({ code: z.string().min(1).optional(), display: z.string().optional(), equivalence: z.string(), comment: z.string().optional() }))
              .min(1),
          }),
        ),
      }),
    )
    .min(1),
});
export type ConceptMap = z.infer<typeof ConceptMapSchema>;

/** A loaded ConceptMap: source code → target code, plus what it can say about a miss. */
export interface CompiledConceptMap {
  id: string;
  url: string;
  version: string;
  targets: ReadonlyMap<string, string>;
  /** Source codes listed with no target (equivalence unmatched): known, deliberately untranslated. */
  unmatched: ReadonlySet<string>;
}

/** Compiles a ConceptMap resource; the first target of each element wins. */
export function compileConceptMap(raw: unknown, file: string): CompiledConceptMap {
  const parsed = ConceptMapSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: not a valid ConceptMap at ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}`);
  }
  const targets = new Map<string, string>();
  const unmatched = new Set<string>();
  for (const g of parsed.data.group) {
    for (const e of g.element) {
      const t = e.target.find((x) => x.code !== undefined && x.equivalence !== 'unmatched' && x.equivalence !== 'disjoint');
      if (t?.code !== undefined) targets.set(e.code, t.code);
      else unmatched.add(e.code);
    }
  }
  return { id: parsed.data.id, url: parsed.data.url, version: parsed.data.version, targets, unmatched };
}

/** Loads every `*.json` ConceptMap in a folder, keyed by id. */
export function loadConceptMaps(dir: string): Map<string, CompiledConceptMap> {
  const out = new Map<string, CompiledConceptMap>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = join(dir, f);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const map = compileConceptMap(raw, file);
    if (out.has(map.id)) throw new Error(`${file}: ConceptMap id ${map.id} is used twice`);
    out.set(map.id, map);
  }
  return out;
}

/** The codes a map translates, for error messages (at most 30 shown). */
export function knownCodes(map: CompiledConceptMap): string {
  const codes = [...map.targets.keys(), ...map.unmatched];
  return codes.length > 30 ? `${codes.slice(0, 30).join(', ')} …` : codes.join(', ');
}
