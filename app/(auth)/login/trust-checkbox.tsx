/**
 * "Don't require OTP on this browser" (TD-08): one wording for every second step. Uncontrolled
 * (posted with its form as `trust=1`) unless `checked` and `onChange` are given.
 */
export function TrustCheckbox(props: { checked?: boolean; onChange?: (checked: boolean) => void }) {
  const controlled =
    props.onChange === undefined
      ? { name: 'trust', value: '1' }
      : {
          checked: props.checked,
          onChange: (e: React.ChangeEvent<HTMLInputElement>) => props.onChange!(e.target.checked),
        };
  return (
    <label className="flex items-start gap-2 text-sm text-slate-800">
      <input type="checkbox" {...controlled} className="mt-0.5 size-4 accent-indigo-700" />
      <span>
        Don&apos;t require OTP on this browser
        <span className="block text-slate-600">
          Only on a browser you alone use. You will still enter your password.
        </span>
      </span>
    </label>
  );
}
