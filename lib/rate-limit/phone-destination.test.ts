import { describe, expect, it } from 'vitest';
import { callingCode, isAllowedDestination, numberPrefix } from './phone-destination';

describe('phone destinations', () => {
  it('FR-01 only numbers whose calling code is on the allowlist may receive SMS and calls', () => {
    expect(callingCode('+14155550123')).toBe('1');
    expect(callingCode('+447700900123')).toBe('44');
    expect(callingCode('+4915112345678')).toBe('49');
    expect(isAllowedDestination('+14155550123', ['1'])).toBe(true);
    expect(isAllowedDestination('+447700900123', ['1'])).toBe(false);
    expect(isAllowedDestination('+447700900123', ['1', '44'])).toBe(true);
    // "+44" must not pass as "+4" followed by 4: the calling code is parsed, not prefix-matched.
    expect(isAllowedDestination('+447700900123', ['4'])).toBe(false);
    expect(isAllowedDestination('not a number', ['1'])).toBe(false);
  });

  it('FR-03 the number prefix is the first 6 digits of E.164', () => {
    expect(numberPrefix('+14155550123')).toBe('141555');
    expect(numberPrefix('+447700900123')).toBe('447700');
  });
});
