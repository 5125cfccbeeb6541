import type { CinCensusTree } from '../../formats/cin-census.js';
import type { ValidationRule } from '../rule.js';
import { rule as r100 } from './rule-100.js';
import { rule as r1103 } from './rule-1103.js';
import { rule as r1104 } from './rule-1104.js';
import { rule as r1105 } from './rule-1105.js';
import { rule as r1510 } from './rule-1510.js';
import { rule as r1570 } from './rule-1570.js';
import { rule as r1580 } from './rule-1580.js';
import { rule as r2884 } from './rule-2884.js';
import { rule as r2889 } from './rule-2889.js';
import { rule as r4000 } from './rule-4000.js';
import { rule as r4001 } from './rule-4001.js';
import { rule as r4004 } from './rule-4004.js';
import { rule as r4011 } from './rule-4011.js';
import { rule as r4013 } from './rule-4013.js';
import { rule as r4015 } from './rule-4015.js';
import { rule as r8510 } from './rule-8510.js';
import { rule as r8520 } from './rule-8520.js';
import { rule as r8525Q } from './rule-8525q.js';
import { rule as r8535Q } from './rule-8535q.js';
import { rule as r8555Q } from './rule-8555q.js';
import { rule as r8600 } from './rule-8600.js';
import { rule as r8608 } from './rule-8608.js';
import { rule as r8610 } from './rule-8610.js';
import { rule as r8620 } from './rule-8620.js';
import { rule as r8630 } from './rule-8630.js';
import { rule as r8720 } from './rule-8720.js';
import { rule as r8750 } from './rule-8750.js';
import { rule as r8772 } from './rule-8772.js';
import { rule as r8790 } from './rule-8790.js';
import { rule as r8794 } from './rule-8794.js';
import { rule as r8805 } from './rule-8805.js';
import { rule as r8810 } from './rule-8810.js';
import { rule as r8820 } from './rule-8820.js';
import { rule as r8832 } from './rule-8832.js';
import { rule as r8840 } from './rule-8840.js';
import { rule as r8841 } from './rule-8841.js';
import { rule as r8869 } from './rule-8869.js';
import { rule as r8875 } from './rule-8875.js';
import { rule as r8898 } from './rule-8898.js';
import { rule as r8925 } from './rule-8925.js';
import { rule as r8930 } from './rule-8930.js';
import { rule as r8935 } from './rule-8935.js';
import { rule as r8940 } from './rule-8940.js';
import { rule as r8945q } from './rule-8945q.js';
import { rule as r8950q } from './rule-8950q.js';

/**
 * The DfE CIN census business rules the gateway checks, one per file, listed here by
 * hand (no folder scanning). They run only on trees that readCinCensus accepted.
 * Codes ending in Q are queries: reported as warnings, never rejections.
 */
export const CIN_RULES: ValidationRule<CinCensusTree>[] = [
  r100,
  r1103,
  r1104,
  r1105,
  r1510,
  r1570,
  r1580,
  r2884,
  r2889,
  r4000,
  r4001,
  r4004,
  r4011,
  r4013,
  r4015,
  r8510,
  r8520,
  r8525Q,
  r8535Q,
  r8555Q,
  r8600,
  r8608,
  r8610,
  r8620,
  r8630,
  r8720,
  r8750,
  r8772,
  r8790,
  r8794,
  r8805,
  r8810,
  r8820,
  r8832,
  r8840,
  r8841,
  r8869,
  r8875,
  r8898,
  r8925,
  r8930,
  r8935,
  r8940,
  r8945q,
  r8950q,
];
