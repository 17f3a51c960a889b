import { useId, type TextareaHTMLAttributes } from "react";

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: string;
  name: string;
  hint?: string;
  errors?: string[] | undefined;
}

/** A labelled textarea with a hint and its field errors tied to it, as `Field` does for inputs. */
export function TextAreaField({ label, name, hint, errors, ...textarea }: TextAreaFieldProps) {
  const id = useId();
  const invalid = errors !== undefined && errors.length > 0;
  const described = [hint ? `${id}-hint` : null, invalid ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="muted small">
          {hint}
        </p>
      ) : null}
      <textarea id={id} name={name} rows={3} aria-invalid={invalid || undefined} aria-describedby={described || undefined} {...textarea} />
      {invalid ? (
        <p id={`${id}-error`} className="field-error">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
