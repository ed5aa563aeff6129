import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// Where an SMS or call would go, in the terms toll fraud is fought in: the country calling code
// (the allowlist, FR-01) and the number prefix (the range pumping schemes rent, FR-03).

/** The calling code of an E.164 number ("44" for +447700900123), or null when it is not one. */
export function callingCode(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.countryCallingCode ?? null;
}

/** True when SMS and voice codes may go to `e164`; an unparseable number never may. */
export function isAllowedDestination(
  e164: string,
  allowedCallingCodes: readonly string[],
): boolean {
  const code = callingCode(e164);
  return code !== null && allowedCallingCodes.includes(code);
}

/** The first 6 digits of an E.164 number: country code and the start of the area or range. */
export function numberPrefix(e164: string): string {
  return e164.replace(/\D/g, '').slice(0, 6);
}
