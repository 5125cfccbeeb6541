import type { Agreement } from '../../src/policy/agreement.js';
import { AgreementSchema } from '../../src/policy/agreement.js';

/** A sharing agreement for a test: public task, no consent required, in review; `fields` supplies id, parties and shares (and may override the rest). */
export function testAgreement(fields: Record<string, unknown>): Agreement {
  return AgreementSchema.parse({
    title: 'test agreement',
    version: 1,
    lawfulBasis: { article6: '6(1)(e) public task' },
    consentRequired: false,
    reviewDate: '2027-12-31',
    ...fields,
  });
}
