/**
 * A ZIP file (every .xlsx is one) begins with a local file header. Apart from the reader
 * (read-xlsx.ts), which loads only when a workbook arrives: its zip and XML parsers are ~5 MB
 * that a CSV upload does not need.
 */
export function looksLikeXlsx(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}
