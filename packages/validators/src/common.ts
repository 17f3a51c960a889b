import { z } from "zod";

export const uuid = z.uuid();

// NUL, or half of a surrogate pair: Postgres refuses the first in any text value, and the
// second has no UTF-8 form (it would be stored as U+FFFD, silently not what was sent).
// eslint-disable-next-line no-control-regex -- finding the control character is the point
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** For a string schema that is not `text()` (a URL): the same refusal of NUL and unpaired surrogates. */
export const isSafeText = (s: string) => !UNSAFE_TEXT.test(s);
export const SAFE_TEXT_MESSAGE = { message: "Must not contain NUL characters or unpaired surrogates" };

/**
 * Every text input starts here: a string without NUL characters or unpaired surrogates,
 * refused as BAD_REQUEST with the field's error. Chain trims and lengths after it.
 */
export const text = () => z.string().refine(isSafeText, SAFE_TEXT_MESSAGE);

/** Opaque keyset cursor: the server encodes and decodes it; clients pass it back unchanged. */
export const cursor = text().min(1).max(200);

export const pageLimit = z.number().int().min(1).max(100).default(20);

export const pageInput = z.object({ cursor: cursor.optional(), limit: pageLimit });

/** Timestamps cross the wire as ISO-8601 strings. */
export const isoDateTime = z.iso.datetime({ offset: true });

/** The calendar days an input may name: outside them no data exists, and year 0 is no date to Postgres. */
const DAY_INPUT_MIN = "2000-01-01";
const DAY_INPUT_MAX = "2100-12-31";

/** A UTC calendar day (YYYY-MM-DD) given as input, within DAY_INPUT_MIN..DAY_INPUT_MAX. */
export const dayInput = z.iso
  .date()
  .refine((day) => day >= DAY_INPUT_MIN && day <= DAY_INPUT_MAX, { message: `Must be from ${DAY_INPUT_MIN} to ${DAY_INPUT_MAX}` });

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
