/**
 * Character-card macros (SillyTavern's): `{{char}}` is the companion's name and `{{user}}` the
 * person's, in any letter case; `<BOT>` / `<CHAR>` and `<USER>` are their legacy spellings.
 */
interface MacroNames {
  /** The companion's name. */
  char: string;
  /** The person's display name. */
  user: string;
}

const MACRO = /\{\{\s*(char|user)\s*\}\}|<(bot|char|user)>/gi;

/**
 * `text` with every macro replaced by its name. One pass: a name that itself reads like a
 * macro ("{{char}}" as a display name) is inserted as written, never expanded again.
 */
export function fillMacros(text: string, names: MacroNames): string {
  return text.replace(MACRO, (_match, braced: string | undefined, legacy: string | undefined) =>
    (braced ?? legacy ?? "").toLowerCase() === "user" ? names.user : names.char,
  );
}
