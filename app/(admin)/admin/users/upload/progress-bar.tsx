// A labelled progress bar: bytes when the total is known, else rows done so far.
export function ProgressBar({
  label,
  done,
  total,
}: {
  label: string;
  done: number;
  total: number | null;
}) {
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : null;
  const text =
    percent !== null
      ? `${label}: ${percent}%`
      : `${label}… ${done.toLocaleString('en')} rows so far`;
  return (
    <div role="status" aria-live="polite" className="space-y-1">
      <p className="text-sm text-slate-700">{text}</p>
      <div className="h-2 w-full overflow-hidden rounded bg-slate-200">
        <div
          className={`h-2 bg-indigo-600 ${percent === null ? 'w-1/3 animate-pulse' : ''}`}
          style={percent !== null ? { width: `${percent}%` } : undefined}
        />
      </div>
    </div>
  );
}
