import { describe, expect, it } from 'vitest';
import { readCpisCsv } from '../../src/formats/cpis-csv.js';
import { mapMessage } from '../../src/mapping/map-message.js';
import { loadMappingRegistry } from '../../src/mapping/registry.js';
import { cpisCsv } from '../helpers/messages.js';
import { testNhsNumber } from '../helpers/fixtures.js';

describe('mapping a whole message', () => {
  it('maps a CP-IS upload of 100,000 plans, the most a file may hold, into a person and a plan each', () => {
    // The drafts once went into push() as arguments all at once, which overflows the stack well before this.
    const nhs = testNhsNumber(700_000);
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ nhs_number: nhs, nhs_number_status: '01', plan_type: 'CPP', start_date: '2026-05-01', la_code: '383', local_id: `M${i}` }));
    const mapped = mapMessage(loadMappingRegistry(), 'cpis-csv', readCpisCsv(cpisCsv(rows)).tree, { agency: 'la:383', agencyCode: '383' });
    expect(mapped.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(mapped.drafts).toHaveLength(200_000);
    expect(mapped.drafts.at(-1)).toMatchObject({ type: 'ProtectionPlan', sourcePath: 'records[99999]' });
  }, 60_000);
});
