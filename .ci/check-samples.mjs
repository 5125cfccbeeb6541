// Runs `sgw validate` over every file in ../shared/samples and checks each verdict
// against what ../shared/samples/EXPECTED.md and the PROVENANCE.md files say about it.
// Writes .ci/out/samples.json ({ numPassedTests, numFailedTests }) for the CI summary.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SAMPLES = process.argv[2] ?? '../shared/samples';
const OUT = process.argv[3] ?? '.ci/out/samples.json';

/**
 * The expected verdict per file (relative to the samples folder). `accept`: reads, maps
 * and breaks no rule. `reject`: refused; `rules` are codes that must be among the reasons,
 * `mentions` text that must be in them. `parse`: reads (whatever the rules say).
 */
const EXPECTED = {
  'health/UKCore-Patient-RichardSmith-Example.xml': { verdict: 'accept', records: 1 },
  'health/UKCore-Patient-BabyPatient-Example.xml': { verdict: 'reject', mentions: ['Modulus 11'] },
  'health/UKCore-Consent-ForInformationAccess-Example.xml': { verdict: 'accept' },
  // a valid Flag, but not a child-protection flag: nothing may be taken for a plan
  'health/UKCore-Flag-FoodAllergy-Example.xml': { verdict: 'accept', records: 0 },
  'health/UKCore-Encounter-InpatientEncounter-Example.xml': { verdict: 'accept' },
  'health/UKCore-RelatedPerson-JoySmith-Example.xml': { verdict: 'accept' },
  'health/UKCore-AuditEvent-Query-Example.xml': { verdict: 'accept' },
  'health/UKCore-Provenance-RARecordConsent-Example.xml': { verdict: 'accept' },
  'health/UKCore-Organization-LeedsTeachingHospital-Example.xml': { verdict: 'accept' },
  'health/UKCore-Communication-FirstMMRVaccination-Example.xml': { verdict: 'accept' },
  'health/UKCore-OperationOutcome-DateError-Example.xml': { verdict: 'accept' },
  // US-style data converted from v2: birthDate holds a dateTime, an Encounter has no identity
  'health/v2tofhir-FHIR_bundle.hl7_ADT_A01.json': { verdict: 'reject', mentions: ['expected a FHIR date'] },
  'la/cin/cin-validator_CIN_Census_2024.xml': { verdict: 'reject', rules: ['CIN-4180'], mentions: ['stray text'] },
  'la/cin/cin-validator_CIN_Census_2026.xml': { verdict: 'reject', rules: ['CIN-4180'], mentions: ['"RB"', 'stray text'] },
  'la/cin/liia-tools_cin-2022.xml': { verdict: 'reject', rules: ['CIN-1105'] },
  'la/cin/cin-validator_fake_CIN_data.xml': { verdict: 'reject', rules: ['CIN-1510'], warnings: true },
  'la/ssda903/liia-tools_SSDA903_2020_episodes.csv': { verdict: 'reject', rulePrefix: 'SSDA903-' },
};
// Everything else: the generated SSDA903 tables must parse; rule errors, when found, carry codes.
const DEFAULT = { 'la/ssda903/': { verdict: 'parse' }, 'la/rules/': null, 'la/schemas/': null, 'la/police/': null, 'health/v2tofhir-': null };

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

if (!existsSync(SAMPLES)) {
  console.log(`samples: ${SAMPLES} is not present; nothing to check`);
  writeFileSync(OUT, JSON.stringify({ numPassedTests: 0, numFailedTests: 0 }));
  process.exit(0);
}

const checks = [];
for (const file of files(SAMPLES).sort()) {
  const rel = relative(SAMPLES, file);
  if (rel.endsWith('.md') || rel.includes('LICENSE')) continue;
  const expected = EXPECTED[rel] ?? Object.entries(DEFAULT).find(([prefix]) => rel.startsWith(prefix))?.[1];
  if (expected === null) continue; // reference data (rule lists, schemas, mapping tables), not messages
  if (expected === undefined) {
    checks.push({ rel, ok: false, why: 'no expected verdict is written down for this sample; add it to .ci/check-samples.mjs' });
    continue;
  }
  checks.push({ rel, file, expected });
}

const toRun = checks.filter((c) => c.file);
let results;
try {
  const out = execFileSync(process.execPath, ['bin/sgw.js', 'validate', '--json', ...toRun.map((c) => c.file)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  results = JSON.parse(out);
} catch (err) {
  // sgw validate exits 1 when any file is rejected; its JSON is still on stdout
  if (!err.stdout) throw err;
  results = JSON.parse(err.stdout);
}

for (const c of toRun) {
  const r = results.find((x) => x.file === c.file);
  const e = c.expected;
  const problems = [];
  if (!r) problems.push('no result');
  else {
    const reasons = r.errors.map((i) => `${i.rule ?? ''} ${i.diagnostics}`).join('\n');
    const malformed = r.messages === 0;
    if (e.verdict === 'accept' && !r.ok) problems.push(`expected it accepted; rejected: ${reasons.slice(0, 300)}`);
    if (e.verdict === 'reject' && r.ok) problems.push('expected it rejected; it was accepted');
    if (e.verdict === 'parse' && malformed) problems.push(`expected it to parse; refused: ${reasons.slice(0, 300)}`);
    if (e.verdict === 'parse' && !r.ok && r.errors.some((i) => !i.rule)) problems.push('a rule error without its rule code');
    for (const code of e.rules ?? []) if (!r.errors.some((i) => i.rule === code)) problems.push(`expected rule ${code} among the reasons`);
    if (e.rulePrefix && !r.errors.some((i) => i.rule?.startsWith(e.rulePrefix))) problems.push(`expected a ${e.rulePrefix} rule among the reasons`);
    for (const text of e.mentions ?? []) if (!reasons.includes(text)) problems.push(`expected the reasons to mention ${text}`);
    if (e.records !== undefined && r.valid !== e.records) problems.push(`expected ${e.records} records, got ${r.valid}`);
    if (e.warnings && r.warnings === 0) problems.push('expected warnings');
  }
  c.ok = problems.length === 0;
  c.why = problems.join('; ');
}

for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.rel}${c.ok ? '' : ` — ${c.why}`}`);
const passed = checks.filter((c) => c.ok).length;
const failed = checks.length - passed;
console.log(`samples: ${passed} passed, ${failed} failed`);
writeFileSync(OUT, JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, numTodoTests: 0 }));
process.exit(failed > 0 ? 1 : 0);
