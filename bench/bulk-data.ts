// The synthetic CP-IS upload of bench/bulk.ts, shared with its server (bench/servers/bulk-gateway.ts)
// so both agree on which children the person index already knows.
import type { CpisResultCode } from '../src/services/cpis-upload.js';
import { benchNhsNumbers } from './lib.js';

export interface BulkUpload {
  csv: string;
  /** The result code each record should get, in file order. */
  expected: CpisResultCode[];
  /** Distinct children named by a record that should succeed. */
  children: string[];
}

const PLAN_TYPES = ['CPP', 'CPP', 'CPP', 'LAC', 'UCPP'] as const;

/**
 * A CP-IS upload of `records` plans from LA 383, all with verified (01) NHS numbers: the
 * children come from benchNhsNumbers(0, …) in order, so the first ones are those the
 * server seeded into the person index,
 * every twentieth record is a second plan for a child named earlier in the file, and one
 * record in ten thousand carries an NHS number whose check digit is wrong (CPR04).
 */
export function bulkUpload(records: number): BulkUpload {
  const repeats = Math.floor(records / 20);
  const bad = Math.floor(records / 10_000);
  const children = benchNhsNumbers(0, records - repeats - bad);
  const lines = ['nhs_number,nhs_number_status,plan_type,start_date,end_date,la_code,local_id'];
  const expected: CpisResultCode[] = [];
  let next = 0;
  for (let i = 0; i < records; i++) {
    const start = `20${20 + (i % 7)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const end = i % 5 === 0 ? `2027-${String(1 + (i % 12)).padStart(2, '0')}-28` : '';
    let nhs: string;
    let code: CpisResultCode = 'CPR06';
    if (bad > 0 && i % 10_000 === 5_000) {
      // A wrong check digit: the last digit moved on by one.
      const good = children[i % children.length]!;
      nhs = `${good.slice(0, 9)}${(Number(good[9]) + 1) % 10}`;
      code = 'CPR04';
    } else if (i % 20 === 19 && next > 0) {
      nhs = children[(i * 7919) % next]!;
    } else {
      nhs = children[next++]!;
    }
    lines.push(`${nhs},01,${PLAN_TYPES[i % PLAN_TYPES.length]},${start},${end},383,CP-${i}`);
    expected.push(code);
  }
  return { csv: `${lines.join('\n')}\n`, expected, children: children.slice(0, next) };
}
