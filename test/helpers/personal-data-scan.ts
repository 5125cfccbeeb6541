import { nhsCheckDigit } from '../../src/model/nhs-number.js';

/**
 * Finds personal data in log lines: any NHS number with a valid check digit (with or
 * without spaces or dashes between its 3-3-4 groups), and the names and dates of birth the
 * tests' fixtures use. A line with any of them is a leak.
 */
export interface Finding {
  line: string;
  found: string;
  kind: 'nhs-number' | 'name' | 'birth-date';
}

/** Ten digits standing alone (3-3-4 groups, spaced or not) in the synthetic 9xx ranges the tests use. Not inside hex or longer numbers. */
const NHS_LIKE = /(?<![\dA-Za-z.])(9\d{2})[ -]?(\d{3})[ -]?(\d{4})(?![\dA-Za-z.])/g;

/** Names and dates of birth in the shared fixtures (test/helpers/fixtures.ts, messages.ts) and the notification tests. */
export const FIXTURE_NAMES = ['Testchild', 'Tester', 'TESTER', 'Harmful', 'Robin'];
export const FIXTURE_BIRTH_DATES = ['2015-03-04', '20150304', '04/03/2015', '2018-05-04', '20180504', '1985-05-05', '1988-02-02'];

function validNhsNumber(digits: string): boolean {
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

export function scanLines(lines: readonly string[], extra: { names?: readonly string[]; birthDates?: readonly string[]; nhsNumbers?: readonly string[] } = {}): Finding[] {
  const names = [...FIXTURE_NAMES, ...(extra.names ?? [])].map((n) => ({ n, re: new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i') }));
  const dates = [...FIXTURE_BIRTH_DATES, ...(extra.birthDates ?? [])];
  const findings: Finding[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(NHS_LIKE)) {
      const digits = `${m[1]}${m[2]}${m[3]}`;
      if (validNhsNumber(digits) || extra.nhsNumbers?.includes(digits)) findings.push({ line, found: m[0], kind: 'nhs-number' });
    }
    for (const { n, re } of names) if (re.test(line)) findings.push({ line, found: n, kind: 'name' });
    for (const d of dates) if (line.includes(d)) findings.push({ line, found: d, kind: 'birth-date' });
  }
  return findings;
}

/** A readable report naming each leaking line. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.kind} ${JSON.stringify(f.found)} in log line: ${f.line.slice(0, 500)}`).join('\n');
}
