import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careTeam, NHS_SYSTEM } from '../helpers/fixtures.js';
import type { TestGateway } from '../helpers/test-gateway.js';
import { createTestGateway } from '../helpers/test-gateway.js';
import type { HostileCase } from './harness.js';
import { Hostile, summaryLine } from './harness.js';
import { cinCases, csvCases, fhirCases, hl7Cases, invalidUtf8Cases, jsonBodyCases, MAX_BODY_BYTES, policeCases, protoKeyCases, searchCases, truncationCases, xmlCases } from './corpus.js';
import { NHS } from './payloads.js';
import fc from 'fast-check';
import { propertyTally } from './harness.js';
import { FUZZ_SEED, HTTP_RUNS, HTTP_TARGETS, httpCase, judgeReader, mutated, randomInput, READER_RUNS, READERS } from './properties.js';

// Issue 9, item 1: the hostile corpus and property tests. Every corpus case is sent to one
// gateway and must be refused with a clear 4xx OperationOutcome, leave the gateway serving,
// and change no data (harness.ts says exactly what is checked). The properties feed every
// reader, and every endpoint taking a body, random and mutated input (properties.ts). The
// summary line is printed at the end.

let t: TestGateway;
let h: Hostile;

beforeAll(async () => {
  t = await createTestGateway(undefined, { SGW_MAX_BODY_BYTES: String(MAX_BODY_BYTES), SGW_WEBHOOKS: 'off' });
  h = new Hostile(t);
  await h.init();
  // Something to find: a plan on the corpus NHS number, so searches run over real rows.
  const la = h.token('laCase');
  const res = await request(t.gateway.app).post('/fhir/CareTeam').set('Authorization', `Bearer ${la}`).set('Content-Type', 'application/fhir+json').send(JSON.stringify(careTeam(NHS)));
  expect(res.status).toBe(201);
  await h.rebase();
});

afterAll(async () => {
  // The counts issue 9 asks CI to print (vitest shows a test file's console output).
  // eslint-disable-next-line no-console
  console.log(summaryLine());
  await t?.dispose();
});

const groups: [string, () => HostileCase[]][] = [
  ['JSON bodies: malformed, not an object, nested deep, over the limit, cut short', jsonBodyCases],
  ['JSON bodies: __proto__, constructor and prototype keys', protoKeyCases],
  ['invalid UTF-8 and overlong encodings in every format', invalidUtf8Cases],
  ['XML: external entities, entity bombs and broken XML', xmlCases],
  ['every raw format cut short, empty or over the limit', truncationCases],
  ['HL7 v2: delimiter and escape abuse, huge repeats, impossible dates', hl7Cases],
  ['CSV: quoting, headers, formula cells, impossible dates', csvCases],
  ['CIN census: impossible dates and schema breaches', cinCases],
  ['police notifications: impossible dates, huge repeats, wrong shapes', policeCases],
  ['FHIR: impossible dates, huge repeats, malformed bodies on ingest and $validate', fhirCases],
  ['search parameters and path ids: SQL metacharacters and impossible dates', searchCases],
];

for (const [title, cases] of groups) {
  describe(title, () => {
    it.each(cases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      await h.expectRefused(c);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });
    it('the gateway still answers a normal request afterwards', async () => {
      await h.expectStillServing();
      const res = await request(t.gateway.app)
        .get(`/fhir/CareTeam?patient:identifier=${NHS_SYSTEM}|${NHS}`)
        .set('Authorization', `Bearer ${h.token('hospital')}`)
        .set('IsUnscheduledAccessEvent', 'false');
      expect(res.status).toBe(200);
      expect(res.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'match')).toHaveLength(1);
      await h.rebase(); // the read above leaves its own permit audit entry only, but rebase anyway
    });
  });
}

describe('property: every reader gives a valid parse or a typed 4xx refusal, for random and mutated input', () => {
  const params = { numRuns: READER_RUNS, seed: FUZZ_SEED };
  for (const r of READERS) {
    it(`${r.name}: random bytes`, async () => {
      await fc.assert(fc.asyncProperty(randomInput, (bytes) => judgeReader(r.read, bytes, propertyTally)), params);
    });
    it(`${r.name}: a valid sample mutated (truncated, bytes flipped, inserted, deleted, delimiters swapped, slices repeated)`, async () => {
      await fc.assert(fc.asyncProperty(mutated(r.sample, r.delimiters), (bytes) => judgeReader(r.read, bytes, propertyTally)), params);
    });
  }
});

describe('property: every endpoint taking a body answers mutated input without a 5xx, and a refusal writes nothing', () => {
  for (const target of HTTP_TARGETS) {
    it(target.name, async () => {
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutated(target.sample, target.delimiters), randomInput), async (bytes) => {
          statuses.add(await h.expectNoHarm(httpCase(target, bytes)));
        }),
        { numRuns: HTTP_RUNS, seed: FUZZ_SEED },
      );
      // The generators reach the refusal path (not only 2xx), or the property proves little.
      expect([...statuses].some((s) => s >= 400)).toBe(true);
    });
  }
  it('the gateway still answers a normal request afterwards', async () => {
    await h.expectStillServing();
  });
});
