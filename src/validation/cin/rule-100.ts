import type { CinCensusTree } from '../../formats/cin-census.js';
import { cinChild, cinTree } from '../../formats/cin-census.js';
import type { RuleFinding, ValidationRule } from '../rule.js';

/** 100: the ReferenceDate must be sent and be 31 March of the collection Year. */
export const rule: ValidationRule<CinCensusTree> = {
  ruleSet: 'CIN',
  code: '100',
  message: 'Reference Date is incorrect',
  check(tree): RuleFinding[] {
    const header = tree.Message.Header;
    const details = header?.CollectionDetails;
    const ref = details?.ReferenceDate;
    if (ref === undefined) {
      const path = details ? 'Message.Header.CollectionDetails' : header ? 'Message.Header' : 'Message';
      return [{ path, detail: 'no ReferenceDate was sent' }];
    }
    const expected = details?.Year !== undefined ? `${details.Year}-03-31` : undefined;
    if (expected !== undefined ? ref !== expected : !ref.endsWith('-03-31')) {
      return [{ path: 'Message.Header.CollectionDetails.ReferenceDate', value: ref, detail: `expected ${expected ?? '31 March'}` }];
    }
    return [];
  },
  cases: {
    pass: cinTree([cinChild()], 2024),
    fail: {
      Message: {
        Header: { CollectionDetails: { Collection: 'CIN', Year: '2024', ReferenceDate: '2024-04-30' } },
        Children: { Child: [cinChild()] },
      },
    },
  },
};
