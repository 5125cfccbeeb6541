import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { assertionCheck, statusCheck } from '../../src/conformance/checks.js';
import { AssertionSchema } from '../../src/conformance/pack.js';
import { offered } from '../../src/conformance/runner.js';
import type { Answer } from '../../src/conformance/send.js';
import { isFhirPath } from '../../src/conformance/send.js';
import { deriveVariant } from '../../src/conformance/tokens.js';

const json = (body: unknown, headers: Record<string, string> = {}): Answer => ({ status: 200, headers: new Headers(headers), text: JSON.stringify(body), json: body });
const check = (a: Record<string, unknown>, answer: Answer, vars: Record<string, string> = {}) => assertionCheck(AssertionSchema.parse(a), answer, vars);

const bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  total: 2,
  entry: [{ resource: { resourceType: 'CareTeam', id: 'a', category: [{ coding: [{ code: '342191000000101' }] }] } }, { resource: { resourceType: 'Organization', id: 'o', name: 'Leeds City Council' } }],
};

describe('assertion checks', () => {
  it('equals compares one value, or the whole result when the expected value is a list', () => {
    expect(check({ expr: 'type', equals: 'searchset' }, json(bundle)).outcome).toBe('pass');
    const wrong = check({ expr: 'type', equals: 'searchset', message: 'a search answers a searchset' }, json({ ...bundle, type: 'collection' }));
    expect(wrong).toMatchObject({ outcome: 'fail', expected: '"searchset"', received: '["collection"]', message: 'a search answers a searchset' });
    expect(check({ expr: 'entry.resource.resourceType', equals: ['CareTeam', 'Organization'] }, json(bundle)).outcome).toBe('pass');
    expect(check({ expr: 'entry.resource.resourceType', equals: 'CareTeam' }, json(bundle)).outcome).toBe('fail');
  });

  it('contains matches an equal item or text that includes it; notContains is its opposite', () => {
    expect(check({ expr: 'entry.resource.name', contains: 'Leeds' }, json(bundle)).outcome).toBe('pass');
    expect(check({ expr: 'entry.resource.name', contains: 'York' }, json(bundle)).outcome).toBe('fail');
    expect(check({ notContains: 'Leeds' }, json(bundle))).toMatchObject({ outcome: 'fail', expected: 'nothing equal to or including "Leeds"' });
    expect(check({ notContains: 'narrative' }, json(bundle)).outcome).toBe('pass');
  });

  it('exists, count and matches', () => {
    expect(check({ expr: "entry.where(resource.resourceType = 'Flag')", exists: false }, json(bundle)).outcome).toBe('pass');
    expect(check({ expr: 'entry', count: 3 }, json(bundle))).toMatchObject({ outcome: 'fail', expected: '3 item(s)', received: expect.stringMatching(/^2 item\(s\)/) });
    expect(check({ expr: 'entry.resource.id', matches: '^o$' }, json(bundle)).outcome).toBe('pass');
  });

  it('substitutes variables in the expression and the expected value', () => {
    expect(check({ expr: "entry.resource.where(id = '{{id}}').resourceType", equals: '{{type}}' }, json(bundle), { id: 'o', type: 'Organization' }).outcome).toBe('pass');
  });

  it('reads a header instead of the body', () => {
    const a = json(bundle, { 'Content-Type': 'application/fhir+json; charset=utf-8' });
    expect(check({ header: 'content-type', contains: 'application/fhir+json' }, a).outcome).toBe('pass');
    expect(check({ header: 'Location', exists: true }, a)).toMatchObject({ outcome: 'fail', received: 'no Location header' });
  });

  it('conformsTo names the first problem against the canonical schema', () => {
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'x' }] };
    expect(check({ conformsTo: 'OperationOutcome' }, json(outcome)).outcome).toBe('pass');
    expect(check({ conformsTo: 'OperationOutcome' }, json({ ...outcome, issue: [{ severity: 'bad', code: 'invalid' }] }))).toMatchObject({ outcome: 'fail', received: expect.stringContaining('issue.0.severity') });
    expect(() => check({ conformsTo: 'NoSuchSchema' }, json(outcome))).toThrow(/not a known schema/);
  });

  it('an expression on a body that is not JSON fails saying so; a broken expression is an error', () => {
    const text: Answer = { status: 200, headers: new Headers(), text: '<html>', json: undefined };
    expect(check({ expr: 'type', equals: 'x' }, text)).toMatchObject({ outcome: 'fail', received: expect.stringContaining('not JSON') });
    expect(check({ expr: 'entry.where(', exists: true }, json(bundle)).outcome).toBe('error');
  });

  it('status: one code or any of several', () => {
    expect(statusCheck([403, 404], 404).outcome).toBe('pass');
    expect(statusCheck(201, 200)).toMatchObject({ outcome: 'fail', expected: '201', received: '200' });
  });

  it('an assertion makes exactly one check', () => {
    expect(AssertionSchema.safeParse({ expr: 'a', equals: 1, exists: true }).success).toBe(false);
    expect(AssertionSchema.safeParse({ header: 'X', count: 1 }).success).toBe(false);
    expect(AssertionSchema.safeParse({ equals: 1 }).success).toBe(false);
  });
});

describe('token variants made from a valid token', () => {
  const valid = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'k' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u', role: 'unscheduled-care' })).toString('base64url')}.c2ln`;
  it('alg-none keeps the claims and drops the signature', () => {
    const t = deriveVariant(valid, 'alg-none');
    expect(decodeProtectedHeader(t).alg).toBe('none');
    expect(decodeJwt(t).sub).toBe('u');
    expect(t.endsWith('.')).toBe(true);
  });
  it('tampered changes a claim and keeps the old signature', () => {
    const t = deriveVariant(valid, 'tampered');
    expect(decodeJwt(t).role).toBe('auditor');
    expect(t.split('.')[2]).toBe('c2ln');
  });
});

describe('what a CapabilityStatement offers', () => {
  it('lists resource interactions and operations, and system ones', () => {
    const cs = {
      resourceType: 'CapabilityStatement',
      rest: [{ mode: 'server', interaction: [{ code: 'transaction' }], resource: [{ type: 'CareTeam', interaction: [{ code: 'search-type' }], operation: [{ name: 'validate', definition: 'x' }] }] }],
    } as fhir4.CapabilityStatement;
    expect([...offered(cs)].sort()).toEqual(['CareTeam:$validate', 'CareTeam:search-type', 'system:transaction']);
  });
});

describe('FHIR paths', () => {
  it('go through the FHIR client; the other endpoints do not', () => {
    expect(['/fhir', '/fhir/CareTeam?x=1', '/fhir?_format=json'].every(isFhirPath)).toBe(true);
    expect(['/fhirx', '/notifications', '/ingest'].some(isFhirPath)).toBe(false);
  });
});
