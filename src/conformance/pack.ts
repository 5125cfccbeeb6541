import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * The file format of a conformance pack (conformance/README.md): `pack.yaml` and
 * `tests/*.yaml`. Only the format and its loading live here; the runner that sends the
 * requests (`sgw conformance run`) is a later piece of work.
 */

const ID = /^[a-z0-9][a-z0-9-]*$/;
const REQUIREMENT_ID = /^[A-Z]{2,6}-\d{2,3}$/;

export const RequirementSchema = z
  .object({
    id: z.string().regex(REQUIREMENT_ID, 'requirement ids are a prefix and a number, e.g. PN-01'),
    text: z.string().min(1),
    /** Where the requirement comes from: an issue, a design section, a domain brief item. */
    source: z.string().min(1),
  })
  .strict();

export const PackSchema = z
  .object({
    id: z.string().regex(ID),
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    title: z.string().min(1),
    description: z.string().optional(),
    /** The specifications (API contract, documents) the pack checks. */
    specs: z.array(z.object({ id: z.string().regex(ID), title: z.string().min(1), ref: z.string().min(1) }).strict()).min(1),
    /** Values a run can override (`--input name=value`), with their defaults; used as `{{input.name}}`. */
    /** An input whose default is empty is not configured until a run gives it; a test that uses it is skipped. */
    inputs: z.record(z.string(), z.object({ description: z.string().min(1), default: z.string() }).strict()).default({}),
    requirements: z.array(RequirementSchema).min(1),
  })
  .strict();
export type Pack = z.infer<typeof PackSchema>;

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * Tokens a security test needs that a valid token cannot stand in for. `alg-none` and
 * `tampered` are made by the runner from a valid token; the others come from the token
 * source (the development key, a `--token-command` told the variant, or a `--tokens` file).
 */
export const TOKEN_VARIANTS = ['valid', 'expired', 'not-yet-valid', 'wrong-audience', 'wrong-issuer', 'unknown-key', 'alg-none', 'tampered'] as const;
export type TokenVariant = (typeof TOKEN_VARIANTS)[number];

/** Which token a request carries: minted for this agency, role and purpose of use; `none` sends no Authorization header. */
export const TokenSpecSchema = z.union([
  z.literal('none'),
  z
    .object({
      agency: z.string().min(1),
      role: z.string().min(1),
      purpose: z.string().min(1).optional(),
      user: z.string().min(1).optional(),
      variant: z.enum(TOKEN_VARIANTS).optional(),
    })
    .strict(),
]);
export type TokenSpec = z.infer<typeof TokenSpecSchema>;

/** A body from a file of the pack (path relative to the pack folder), with JSON fields set or removed by dotted path. */
export const FixtureBodySchema = z
  .object({
    fixture: z.string().min(1),
    set: z.record(z.string(), z.unknown()).optional(),
    unset: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** The checks an assertion can make; each assertion makes exactly one. */
export const ASSERTION_CHECKS = ['equals', 'contains', 'notContains', 'exists', 'count', 'matches', 'conformsTo'] as const;

export const AssertionSchema = z
  .object({
    /** FHIRPath over the JSON response body; omitted: the response body as text. */
    expr: z.string().min(1).optional(),
    /** A response header instead of the body (its value as text; absent: no value). */
    header: z.string().min(1).optional(),
    equals: z.unknown().optional(),
    contains: Scalar.optional(),
    notContains: Scalar.optional(),
    exists: z.boolean().optional(),
    count: z.number().int().min(0).optional(),
    matches: z.string().min(1).optional(),
    /** Every value `expr` selects (the whole body without `expr`) is valid against this canonical schema (src/conformance/schemas.ts). */
    conformsTo: z.string().min(1).optional(),
    /** What the check means, shown with expected and received when it fails. */
    message: z.string().optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const kinds = ASSERTION_CHECKS.filter((k) => k in a);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `an assertion has exactly one of ${ASSERTION_CHECKS.join(', ')}` });
    if (a.expr !== undefined && a.header !== undefined) ctx.addIssue({ code: 'custom', message: 'an assertion reads the body (expr) or a header, not both' });
    if (a.header !== undefined && kinds.some((k) => k === 'count' || k === 'conformsTo')) {
      ctx.addIssue({ code: 'custom', message: 'a header assertion uses equals, contains, notContains, exists or matches' });
    }
    if (a.expr === undefined && a.header === undefined && kinds.some((k) => k !== 'contains' && k !== 'notContains' && k !== 'matches' && k !== 'conformsTo')) {
      ctx.addIssue({ code: 'custom', message: 'without expr, an assertion reads the body text: use contains, notContains, matches or conformsTo' });
    }
  });
export type Assertion = z.infer<typeof AssertionSchema>;

export const RequestStepSchema = z
  .object({
    id: z.string().regex(ID),
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE']),
    /** Path and query, `{{…}}` substituted. */
    path: z.string().startsWith('/'),
    token: TokenSpecSchema,
    headers: z.record(z.string(), z.string()).default({}),
    /** Inline JSON, a fixture (`{ fixture, set, unset }`), or raw text in `bodyText`. */
    body: z.union([FixtureBodySchema, z.record(z.string(), z.unknown())]).optional(),
    bodyText: z.string().optional(),
    /** The status expected: one, or any of several. */
    status: z.union([z.number().int(), z.array(z.number().int()).min(1)]),
    assert: z.array(AssertionSchema).default([]),
    /** Values kept for later requests of the test: name → FHIRPath over the JSON body (first value). */
    capture: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), z.string().min(1)).default({}),
    /**
     * The request is in the audit log: an auditor of the token's agency finds one more
     * AuditEvent by the token's user of this kind (`action:resourceType`, e.g.
     * `search:CareTeam`) after the request than before it, with the outcome given
     * (success: FHIR outcome 0; failure: anything else).
     */
    audit: z
      .object({ kind: z.string().regex(/^[a-z]+:[A-Za-z0-9:-]+$/, 'kind is action:resourceType, e.g. search:CareTeam'), outcome: z.enum(['success', 'failure']).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => r.body === undefined || r.bodyText === undefined, { message: 'a request has body or bodyText, not both' });
export type RequestStep = z.infer<typeof RequestStepSchema>;

export const PackTestSchema = z
  .object({
    id: z.string().regex(ID),
    title: z.string().min(1),
    description: z.object({ given: z.string().min(1), when: z.string().min(1), then: z.string().min(1) }).strict(),
    requirements: z.array(z.string().regex(REQUIREMENT_ID)).min(1),
    /**
     * What the target must offer for the test to apply, as its CapabilityStatement says:
     * `Type:interaction` (`CareTeam:search-type`), `Type:$operation` (`Patient:$match`) or
     * `system:interaction` (`system:transaction`). A target that does not offer it gets omit.
     */
    requires: z.array(z.string().regex(/^[A-Za-z]+:\$?[a-z-]+$/, 'Type:interaction, Type:$operation or system:interaction')).default([]),
    requests: z.array(RequestStepSchema).min(1),
  })
  .strict();
export type PackTest = z.infer<typeof PackTestSchema>;

export interface LoadedPack {
  dir: string;
  pack: Pack;
  tests: { file: string; test: PackTest }[];
}

function parseFile<T>(schema: z.ZodType<T>, file: string, root: string): T {
  const name = relative(root, file);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${name}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${name}: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * Loads one pack folder: `pack.yaml` and every `tests/*.yaml`, each checked against the
 * format, and the cross-checks a runner relies on (unique ids, known requirements, every
 * requirement covered, fixtures present). Throws naming the file and field.
 */
export function loadPack(dir: string): LoadedPack {
  const root = join(dir, '..');
  const pack = parseFile(PackSchema, join(dir, 'pack.yaml'), root);
  const testDir = join(dir, 'tests');
  const files = existsSync(testDir) ? readdirSync(testDir).filter((f) => f.endsWith('.yaml')).sort() : [];
  const tests = files.map((f) => ({ file: join(testDir, f), test: parseFile(PackTestSchema, join(testDir, f), root) }));
  const problems: string[] = [];
  const known = new Set(pack.requirements.map((r) => r.id));
  if (known.size !== pack.requirements.length) problems.push(`${pack.id}/pack.yaml: a requirement id is listed twice`);
  const ids = new Set<string>();
  for (const { file, test } of tests) {
    const name = relative(root, file);
    if (ids.has(test.id)) problems.push(`${name}: test id ${test.id} is used by another test`);
    ids.add(test.id);
    for (const r of test.requirements) if (!known.has(r)) problems.push(`${name}: requirement ${r} is not in pack.yaml`);
    for (const step of test.requests) {
      if (step.body && 'fixture' in step.body && typeof step.body.fixture === 'string' && !existsSync(join(dir, step.body.fixture))) {
        problems.push(`${name}: request ${step.id}: fixture ${step.body.fixture} does not exist`);
      }
    }
  }
  const covered = new Set(tests.flatMap((t) => t.test.requirements));
  for (const r of known) if (!covered.has(r)) problems.push(`${pack.id}/pack.yaml: requirement ${r} is covered by no test`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { dir, pack, tests };
}

const VARIABLE = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;

/** A test uses an input the run has no value for: the test is skipped, not failed. */
export class InputNotConfigured extends Error {
  constructor(readonly input: string) {
    super(`input ${input} is not configured (give --input ${input}=VALUE)`);
  }
}

/**
 * Replaces `{{run.id}}`, `{{input.name}}` and captured `{{name}}` in text; an unknown name
 * is an error of the pack, an input with no value is InputNotConfigured.
 */
export function substitute(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`{{${name}}} is not defined (known: ${Object.keys(vars).join(', ') || 'none'})`);
    if (v === '' && name.startsWith('input.')) throw new InputNotConfigured(name.slice('input.'.length));
    return v;
  });
}

/** Substitutes variables in every string of a JSON value. */
export function substituteJson(value: unknown, vars: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return substitute(value, vars);
  if (Array.isArray(value)) return value.map((v) => substituteJson(v, vars));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteJson(v, vars)]));
  return value;
}

function setPath(target: unknown, path: string, value: unknown, remove: boolean): void {
  const parts = path.split('.');
  let node = target as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (next === null || typeof next !== 'object') throw new Error(`${path}: ${p} is not an object or array in the fixture`);
    node = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
}

/**
 * The body a request sends: inline JSON, or a fixture file with `set` and `unset` applied
 * (dotted paths, array indexes as numbers), variables substituted. JSON for `.json`
 * fixtures and inline bodies; text otherwise.
 */
export function requestBody(dir: string, step: RequestStep, vars: Readonly<Record<string, string>>): { json?: unknown; text?: string } | undefined {
  if (step.bodyText !== undefined) return { text: substitute(step.bodyText, vars) };
  const body = step.body;
  if (body === undefined) return undefined;
  const fixture = FixtureBodySchema.safeParse(body);
  if (!fixture.success) return { json: substituteJson(body, vars) };
  const raw = readFileSync(join(dir, fixture.data.fixture), 'utf8');
  if (!fixture.data.fixture.endsWith('.json')) return { text: substitute(raw, vars) };
  const json = JSON.parse(raw) as unknown;
  for (const [path, value] of Object.entries(fixture.data.set ?? {})) setPath(json, path, value, false);
  for (const path of fixture.data.unset ?? []) setPath(json, path, undefined, true);
  return { json: substituteJson(json, vars) };
}
