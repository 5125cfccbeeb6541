import { describe, expect, it } from 'vitest';
import { checkNhsNumber, isTestRangeNhsNumber, nhsCheckDigit } from '../../src/model/nhs-number.js';
import { normaliseSystem } from '../../src/model/systems.js';

describe('NHS number', () => {
  it.each(['9990000018', '9990000026', '9990000034', '9449306753', '9912003888'])('accepts %s (valid Modulus 11)', (n) => {
    expect(checkNhsNumber(n)).toEqual({ valid: true, value: n });
  });

  it('normalises the 3-3-4 display form and hyphens', () => {
    expect(checkNhsNumber('999 000 0018')).toEqual({ valid: true, value: '9990000018' });
    expect(checkNhsNumber('999-000-0018')).toEqual({ valid: true, value: '9990000018' });
  });

  it('rejects a wrong check digit and says which digit was expected', () => {
    const r = checkNhsNumber('9912003890'); // UK Core BabyPatient example: fails the check
    expect(r.valid).toBe(false);
    if (!r.valid) {
      expect(r.rule).toBe('check-digit');
      expect(r.message).toContain('should be 6, not 0'); // 9·10+9·9+1·8+2·7+0+0+3·4+8·3+9·2 = 247; 247 mod 11 = 5; 11 − 5 = 6
    }
  });

  it('rejects numbers whose computed check digit is 10 (never issued), whatever the last digit', () => {
    expect(nhsCheckDigit('999000000')).toBeNull();
    expect(nhsCheckDigit('999000014')).toBeNull();
    for (let d = 0; d <= 9; d++) {
      const r = checkNhsNumber(`999000000${d}`);
      expect(r.valid).toBe(false);
      if (!r.valid) expect(r.message).toContain('computes to 10');
    }
  });

  it('computes 0 when 11 - remainder is 11', () => {
    // 999000005: sum = 9*10+9*9+9*8+5*2 = 253, 253 % 11 = 0, so the check digit is 0
    expect(nhsCheckDigit('999000005')).toBe(0);
    expect(checkNhsNumber('9990000050').valid).toBe(true);
  });

  it.each(['', '123', '99900000188', '99900000a8', '999.000.0018'])('rejects %j as not 10 digits', (n) => {
    const r = checkNhsNumber(n);
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.rule).toBe('format');
  });

  it('knows the 999 range is for testing only', () => {
    expect(isTestRangeNhsNumber('9990000018')).toBe(true);
    expect(isTestRangeNhsNumber('9449306753')).toBe(false);
  });

  it('normalises the Spine-era identifier systems', () => {
    expect(normaliseSystem('http://fhir.nhs.net/Id/nhs-number')).toBe('https://fhir.nhs.uk/Id/nhs-number');
    expect(normaliseSystem('http://fhir.nhs.net/Id/ods-organization-code')).toBe('https://fhir.nhs.uk/Id/ods-organization-code');
    expect(normaliseSystem('https://example.org/other')).toBe('https://example.org/other');
  });
});
