import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedPack, RequestStep } from '../../src/conformance/pack.js';
import { loadPack, requestBody, substitute, substituteJson } from '../../src/conformance/pack.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { readNotificationXml } from '../../src/mapping/police-notification-xml.js';
import { loadMappingRegistry } from '../../src/mapping/registry.js';
import { NotificationSubmissionSchema } from '../../src/model/police-notification.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { offered, runVariables } from '../../src/conformance/runner.js';
import { capabilityStatement } from '../../src/fhir/capability-statement.js';
import { checkNhsNumber } from '../../src/model/nhs-number.js';

/**
 * The conformance packs are authored ahead of their runner: this checks what can be checked
 * without a gateway. Every pack loads (YAML and format valid, requirement ids known, every
 * requirement covered, fixtures present, variables defined), and every notification body a
 * pack sends agrees with the schema about whether it should succeed.
 */
const ROOT = join(PACKAGE_ROOT, 'conformance');
const packDirs = readdirSync(ROOT)
  .map((d) => join(ROOT, d))
  .filter((d) => existsSync(join(d, 'pack.yaml')));
const registry = loadMappingRegistry();

/** Variables as a run would define them: a run id, the pack's input defaults, and a stand-in for each capture. */
function baseVars(p: LoadedPack): Record<string, string> {
  return { ...runVariables('123456'), ...Object.fromEntries(Object.entries(p.pack.inputs).map(([k, v]) => [`input.${k}`, v.default])) };
}

function isNotificationSubmit(step: RequestStep): boolean {
  return step.method === 'POST' && step.path.split('?')[0] === '/notifications';
}

function statuses(step: RequestStep): number[] {
  return Array.isArray(step.status) ? step.status : [step.status];
}

/** The field paths a 422 step expects the OperationOutcome to name (`expr: …expression`, `contains: field`). */
function expectedFields(step: RequestStep): string[] {
  return step.assert.filter((a) => a.expr?.endsWith('.expression') && typeof a.contains === 'string').map((a) => a.contains as string);
}

describe('conformance packs', () => {
  it('there is a police-notifications pack', () => {
    expect(packDirs.map((d) => d.split('/').pop())).toContain('police-notifications');
  });

  describe.each(packDirs.map((d) => [d.split('/').pop()!, d] as const))('%s', (_name, dir) => {
    const loaded = loadPack(dir);

    it('loads: valid YAML and format, known and covered requirements, fixtures present', () => {
      expect(loaded.tests.length).toBeGreaterThan(0);
      for (const r of loaded.pack.requirements) expect(loaded.tests.some((t) => t.test.requirements.includes(r.id)), r.id).toBe(true);
    });

    it('every {{variable}} is defined by the run, the inputs or an earlier capture of the same test', () => {
      for (const { test } of loaded.tests) {
        const vars = baseVars(loaded);
        for (const step of test.requests) {
          const where = `${test.id}/${step.id}`;
          expect(() => substitute(step.path, vars), where).not.toThrow();
          expect(() => substituteJson({ headers: step.headers, token: step.token, assert: step.assert }, vars), where).not.toThrow();
          expect(() => requestBody(dir, step, vars), where).not.toThrow();
          for (const name of Object.keys(step.capture)) vars[name] = `captured-${name}`;
        }
      }
    });

    const submits = loaded.tests.flatMap(({ test }) => test.requests.filter(isNotificationSubmit).map((step) => [`${test.id}/${step.id}`, step] as const));

    it.each(submits)('%s: the body agrees with the schema about success', async (_where, step) => {
      const vars = { ...baseVars(loaded), id: 'captured-id' };
      const body = requestBody(dir, step, vars)!;
      const codes = statuses(step);
      const ok = codes.every((s) => s >= 200 && s < 300);
      const contentType = step.headers['Content-Type'] ?? '';
      if (codes.some((s) => s === 401 || s === 403)) return; // refused before the body is read
      if (contentType.includes('xml')) {
        if (codes.includes(400)) {
          const err = await readNotificationXml(registry, body.text!).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(GatewayError);
          expect((err as GatewayError).code).toBe('GW_ERR_MALFORMED_BODY');
          return;
        }
        const { submission, warnings } = await readNotificationXml(registry, body.text!);
        expect(NotificationSubmissionSchema.safeParse(submission).error?.issues ?? []).toEqual([]);
        const warned = step.assert.filter((a) => a.expr === 'warnings.expression').map((a) => a.contains);
        expect(warnings.flatMap((w) => w.expression ?? [])).toEqual(expect.arrayContaining(warned));
        if (step.assert.some((a) => a.expr === 'warnings.count()' && a.equals === 0)) expect(warnings).toEqual([]);
        return;
      }
      const parsed = NotificationSubmissionSchema.safeParse(body.json);
      if (ok) expect(parsed.error?.issues ?? []).toEqual([]);
      else {
        expect(codes).toEqual([422]);
        expect(parsed.success).toBe(false);
        const paths = parsed.error!.issues.map((i) => i.path.join('.'));
        for (const field of expectedFields(step)) expect(paths, `the schema names ${field}`).toContain(field);
      }
    });
  });
});

describe('loading a pack names what is wrong', () => {
  const broken = (edit: (dir: string) => void): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sgw-pack-'));
    cpSync(join(ROOT, 'police-notifications'), join(dir, 'police-notifications'), { recursive: true });
    edit(join(dir, 'police-notifications'));
    try {
      loadPack(join(dir, 'police-notifications'));
      return '';
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const test = (requirements: string, fixture: string) =>
    `id: extra\ntitle: t\ndescription: { given: g, when: w, then: t }\nrequirements: ${requirements}\nrequests:\n  - { id: r, method: POST, path: /notifications, token: none, body: { fixture: ${fixture} }, status: 401 }\n`;

  it('a requirement the pack does not list', () => {
    expect(broken((d) => writeFileSync(join(d, 'tests', 'zz.yaml'), test('[PN-99]', 'fixtures/domestic-abuse.json')))).toMatch(/zz\.yaml: requirement PN-99 is not in pack\.yaml/);
  });

  it('a requirement no test covers', () => {
    expect(broken((d) => rmSync(join(d, 'tests', '08-alert-child-on-plan.yaml')))).toMatch(/requirement PN-13 is covered by no test/);
  });

  it('a fixture that does not exist', () => {
    expect(broken((d) => writeFileSync(join(d, 'tests', 'zz.yaml'), test('[PN-01]', 'fixtures/nope.json')))).toMatch(/fixture fixtures\/nope\.json does not exist/);
  });

  it('a test that breaks the format', () => {
    expect(broken((d) => writeFileSync(join(d, 'tests', 'zz.yaml'), 'id: Bad Id\n'))).toMatch(/zz\.yaml: /);
  });
});

describe('run variables', () => {
  it('give nine different valid test-range NHS numbers, different from run to run', () => {
    const a = runVariables('111');
    const b = runVariables('112');
    const numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => a[`run.nhs${i}`]!);
    expect(new Set(numbers).size).toBe(9);
    for (const n of numbers) expect(checkNhsNumber(n)).toMatchObject({ valid: true });
    for (const n of numbers) expect(n.startsWith('999')).toBe(true);
    expect(numbers).not.toContain(b['run.nhs1']);
  });

  it('give each pack of a run (its slot) nine numbers no other pack of the run has', () => {
    const slots = [0, 1, 2, 7].map((slot) => runVariables('111', slot));
    const all = slots.flatMap((v) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => v[`run.nhs${i}`]!));
    expect(new Set(all).size).toBe(36);
    for (const n of all) expect(checkNhsNumber(n)).toMatchObject({ valid: true });
    expect(runVariables('111')).toEqual(slots[0]);
    expect(slots.every((v) => v['run.id'] === '111')).toBe(true);
  });
});

describe('the CapabilityStatement declares what the packs check', () => {
  const cs = capabilityStatement('http://localhost:8080', '0.0.0', '2026-12-07');
  const can = offered(cs);
  const searchParamsOf = (type: string) => new Set((cs.rest?.[0]?.resource ?? []).find((r) => r.type === type)?.searchParam?.map((p) => p.name) ?? []);

  /** What a FHIR request of a pack needs the CapabilityStatement to declare: an interaction or operation, and its search parameters. */
  function needs(method: string, path: string): { capability: string | null; params: string[]; type?: string } {
    const [resourcePath = '', query = ''] = path.slice('/fhir'.length).split('?');
    const parts = resourcePath.split('/').filter(Boolean);
    const params = [...new URLSearchParams(query).keys()].map((k) => k.split(':')[0]!).filter((k) => !['_format', '_count'].includes(k));
    if (parts.length === 0) return { capability: method === 'POST' ? 'system:transaction' : null, params: [] };
    if (parts[0]!.startsWith('$')) return { capability: `system:${parts[0]}`, params: [] };
    const type = parts[0]!;
    if (type === 'metadata') return { capability: null, params: [] };
    if (parts.length === 1) return { capability: method === 'GET' ? `${type}:search-type` : `${type}:create`, params: method === 'GET' ? params : [], type };
    if (parts[1]!.startsWith('$')) return { capability: `${type}:${parts[1]}`, params: [] };
    return { capability: `${type}:read`, params: [], type };
  }

  const requests = packDirs.flatMap((dir) => {
    const loaded = loadPack(dir);
    return loaded.tests.flatMap(({ test }) => {
      const vars: Record<string, string> = baseVars(loaded);
      return test.requests.flatMap((step) => {
        for (const name of Object.keys(step.capture)) vars[name] = `captured-${name}`;
        const path = substitute(step.path, { ...vars, ...Object.fromEntries(Object.keys(step.capture).map((n) => [n, `captured-${n}`])) });
        // A request the pack expects to be refused may use what the gateway does not offer on purpose.
        const answered = statuses(step).some((s) => s >= 200 && s < 300);
        return answered && (path === '/fhir' || path.startsWith('/fhir/') || path.startsWith('/fhir?')) ? [[`${loaded.pack.id}/${test.id}/${step.id}: ${step.method} ${path}`, step.method, path] as const] : [];
      });
    });
  });

  it.each(requests)('%s', (_where, method, path) => {
    const { capability, params, type } = needs(method, path);
    if (capability) expect([...can], `the CapabilityStatement offers ${capability}`).toContain(capability);
    for (const p of params) expect([...searchParamsOf(type!)], `${type} declares the search parameter ${p}`).toContain(p);
  });
});
