import { useId, type InputHTMLAttributes } from "react";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  /** Messages from the server's zodError.fieldErrors[name] (docs/errors.md). */
  errors?: string[] | undefined;
}

/** A labelled input with its field errors tied to it (aria-describedby, aria-invalid). */
export function Field({ label, name, errors, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const invalid = errors !== undefined && errors.length > 0;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={invalid || undefined} aria-describedby={invalid ? errorId : undefined} {...input} />
      {invalid ? (
        <p id={errorId} className="field-error">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
