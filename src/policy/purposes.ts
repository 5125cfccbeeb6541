/**
 * Purposes of use. The gateway's own purposes name the safeguarding functions the law
 * recognises; FHIR v3-ActReason codes that health systems send are accepted and mapped
 * (R4 has no safeguarding purpose code, so those stay local).
 */
export const PURPOSES = [
  'direct-care',
  'safeguarding-s47',
  'child-in-need-s17',
  'early-help',
  'law-enforcement',
  'statutory-return',
  'audit',
] as const;
export type Purpose = (typeof PURPOSES)[number];

const V3_ACT_REASON: Readonly<Record<string, Purpose>> = {
  TREAT: 'direct-care',
  ETREAT: 'direct-care',
  ERTREAT: 'direct-care',
  BTG: 'direct-care',
  COC: 'direct-care',
  HOPERAT: 'audit',
  GOV: 'audit',
};

/** Maps a purpose claim (gateway purpose or v3-ActReason code) to a gateway purpose, or null if unknown. */
export function normalisePurpose(claim: string): Purpose | null {
  if ((PURPOSES as readonly string[]).includes(claim)) return claim as Purpose;
  return V3_ACT_REASON[claim] ?? null;
}

export function knownPurposeClaims(): string[] {
  return [...PURPOSES, ...Object.keys(V3_ACT_REASON)];
}
