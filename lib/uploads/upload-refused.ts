// A User Upload refused as a whole (CSV-01): nothing of it is kept.

export type RefusalCode =
  | 'too-large'
  | 'too-many-rows'
  | 'binary'
  | 'encoding'
  | 'header'
  | 'empty'
  | 'malformed'
  | 'checksum'
  | 'incomplete';

/** The stored file is not the file that was read through (a second request for the same upload). */
export const FILE_CHANGED =
  'The file changed while it was being checked (was it sent twice?). Upload it again.';

/** The file as a whole is refused: nothing of it is kept. */
export class UploadRefused extends Error {
  readonly code: RefusalCode;
  constructor(code: RefusalCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UploadRefused';
    this.code = code;
  }
}
