import type { Prisma } from '@/lib/generated/prisma/client';
import type { BatchOutcome } from './import-batch';
import { MAX_STORED_PROBLEMS, type ValidationResult } from './validate-upload';

// What an import adds up over its runs of batches, and how its findings are written to the
// upload record.

/** Nothing counted yet. */
export const importTotals = (): BatchOutcome => ({
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  contactChanges: [],
  existing: 0,
  emailTaken: 0,
  problems: [],
});

/** Adds one run's outcome to the totals. */
export function addOutcome(totals: BatchOutcome, o: BatchOutcome) {
  totals.created += o.created;
  totals.updated += o.updated;
  totals.skipped += o.skipped;
  totals.failed += o.failed;
  totals.existing += o.existing;
  totals.emailTaken += o.emailTaken;
  totals.contactChanges.push(...o.contactChanges);
  // Runs come in row order: the first problems are the ones kept.
  for (const p of o.problems)
    if (totals.problems.length < MAX_STORED_PROBLEMS) totals.problems.push(p);
}

/** The four counts the record, the audit event and the result carry. */
export const countsOf = (t: BatchOutcome) => ({
  created: t.created,
  updated: t.updated,
  skipped: t.skipped,
  failed: t.failed,
});

/** A validation result as upload record fields (the problems are stored as JSON). */
export const recordFields = ({ problems, ...found }: ValidationResult) => ({
  ...found,
  problems: problems as unknown as Prisma.InputJsonValue,
});
