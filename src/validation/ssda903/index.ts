import type { Ssda903Tree } from '../../formats/ssda903.js';
import type { ValidationRule } from '../rule.js';
import { rule as rule101 } from './rule-101.js';
import { rule as rule102 } from './rule-102.js';
import { rule as rule103 } from './rule-103.js';
import { rule as rule114 } from './rule-114.js';
import { rule as rule120 } from './rule-120.js';
import { rule as rule131 } from './rule-131.js';
import { rule as rule132 } from './rule-132.js';
import { rule as rule133 } from './rule-133.js';
import { rule as rule141 } from './rule-141.js';
import { rule as rule142 } from './rule-142.js';
import { rule as rule143 } from './rule-143.js';
import { rule as rule144 } from './rule-144.js';
import { rule as rule145 } from './rule-145.js';
import { rule as rule146 } from './rule-146.js';
import { rule as rule148 } from './rule-148.js';
import { rule as rule149 } from './rule-149.js';
import { rule as rule166 } from './rule-166.js';
import { rule as rule167 } from './rule-167.js';
import { rule as rule174 } from './rule-174.js';
import { rule as rule175 } from './rule-175.js';
import { rule as rule176 } from './rule-176.js';
import { rule as rule177 } from './rule-177.js';
import { rule as rule178 } from './rule-178.js';
import { rule as rule196 } from './rule-196.js';
import { rule as rule302 } from './rule-302.js';
import { rule as rule304 } from './rule-304.js';
import { rule as rule333 } from './rule-333.js';
import { rule as rule356 } from './rule-356.js';
import { rule as rule361 } from './rule-361.js';
import { rule as rule362 } from './rule-362.js';
import { rule as rule363 } from './rule-363.js';
import { rule as rule364 } from './rule-364.js';
import { rule as rule388 } from './rule-388.js';
import { rule as rule522 } from './rule-522.js';
import { rule as rule564 } from './rule-564.js';
import { rule as rule567 } from './rule-567.js';
import { rule as rule631 } from './rule-631.js';
import { rule as rule1006 } from './rule-1006.js';
import { rule as rule1009 } from './rule-1009.js';

/**
 * The SSDA903 (children looked after) rules implemented, 2024-25 numbering, one per file,
 * listed by hand so that adding a rule is a visible change. Run with runRules().
 */
export const SSDA903_RULES: readonly ValidationRule<Ssda903Tree>[] = [
  rule101,
  rule102,
  rule103,
  rule114,
  rule120,
  rule131,
  rule132,
  rule133,
  rule141,
  rule142,
  rule143,
  rule144,
  rule145,
  rule146,
  rule148,
  rule149,
  rule166,
  rule167,
  rule174,
  rule175,
  rule176,
  rule177,
  rule178,
  rule196,
  rule302,
  rule304,
  rule333,
  rule356,
  rule361,
  rule362,
  rule363,
  rule364,
  rule388,
  rule522,
  rule564,
  rule567,
  rule631,
  rule1006,
  rule1009,
];
