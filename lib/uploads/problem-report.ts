import { csvLine } from '@/lib/csv/csv-cell';
import type { UploadProblem } from './validate-row';

/** The problem report: one line per problem, then a note when problems were not stored. */
export function* problemReportLines(
  problems: readonly UploadProblem[],
  omitted: number,
): Generator<string> {
  yield csvLine(['row', 'column', 'value', 'reason']);
  for (const p of problems) yield csvLine([p.row, p.column, p.value ?? '', p.reason]);
  if (omitted > 0)
    yield csvLine([
      '',
      '*',
      '',
      `${omitted} more problems were found but not stored; fix the rows above and upload the file again.`,
    ]);
}
