/** Longest device name, in code points (TD-07). */
export const DEVICE_NAME_MAX = 64;

export type DeviceNameResult = { ok: true; name: string } | { ok: false; error: string };

/**
 * A device name as typed, made safe to keep: control and format characters removed (they could
 * reorder or hide text), white space folded, trimmed, 1–64 code points of any script. It is
 * always rendered as text, never as markup.
 */
export function parseDeviceName(input: unknown): DeviceNameResult {
  const raw = typeof input === 'string' ? input : '';
  const name = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const length = [...name].length;
  if (length === 0) return { ok: false, error: 'Give this device a name.' };
  if (length > DEVICE_NAME_MAX)
    return {
      ok: false,
      error: `Use at most ${DEVICE_NAME_MAX} characters (this name has ${length}).`,
    };
  return { ok: true, name };
}
