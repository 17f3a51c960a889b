/**
 * fast-check arbitraries for procedure inputs: values shaped like an input (read from its
 * Zod schema's JSON Schema) whose leaves are often hostile, plus arbitrary JSON. There is no
 * maintained generator from Zod 4 schemas (zod-fast-check stops at Zod 3), and hostile
 * values, not valid ones, are the point, so this walks the few JSON Schema forms our inputs use.
 */
import fc from "fast-check";
import { z } from "zod";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
};

/** Ids and keys of real rows, so generated inputs also reach past "not found". */
export interface KnownValues {
  ids: string[];
  /** The ids that make sense for a field of this name (`companionId`: a companion), when known. */
  idsByField: Record<string, string[]>;
  mediaKeys: string[];
  emails: string[];
}

/** `valid`: only values the schema's shape allows (the baseline a hostile leaf is put into). */
type Mode = "hostile" | "valid";

/** Where the value travels: a GET's query string is far shorter than a POST body. */
export type Carrier = "url" | "body";

const YEAR_BEYOND = Date.UTC(10000, 0, 1);
const cursorOf = (text: string) => Buffer.from(text).toString("base64url");

/** Strings found to break things somewhere, or likely to. */
function hostileStrings(carrier: Carrier): string[] {
  const huge = carrier === "url" ? 1_500 : 60_000;
  return [
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\uD800",
    "x\uDFFFy",
    "\uD83D",
    "🙂",
    "👩🏽‍💻".repeat(3),
    "مرحبا بالعالم",
    "\u202Eevil\u202C",
    "line\u2028separator\u2029",
    "\uFEFFbom",
    "null",
    "NaN",
    "%00",
    "' or 1=1 --",
    "\\",
    "a".repeat(huge),
    "😀".repeat(Math.floor(huge / 8)),
    "0000-01-01",
    "10000-01-01",
    "-000001-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "1970-01-01T00:00:00Z",
    cursorOf(`${YEAR_BEYOND}:00000000-0000-4000-8000-000000000000`),
    cursorOf(`feed:u:${Number.MAX_SAFE_INTEGER}:00000000-0000-4000-8000-000000000000`),
    cursorOf(`1:${YEAR_BEYOND}:00000000-0000-4000-8000-000000000000`),
    cursorOf("slug:\u0000"),
    cursorOf("slug:\uD800"),
  ];
}

const hostileNumbers = [0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 64, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY];

function hostileString(carrier: Carrier): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom(...hostileStrings(carrier)), fc.string({ unit: "binary", maxLength: 40 }));
}

/** Any JSON at all, with hostile strings and numbers among it. */
function anyValue(carrier: Carrier): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 2, arbitrary: hostileString(carrier) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...hostileNumbers, null, true, [], {}) },
  );
}

function dayStrings(): fc.Arbitrary<string> {
  const day = fc.date({ min: new Date(Date.UTC(-1, 0, 1)), max: new Date(Date.UTC(12000, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  return fc.oneof(fc.constantFrom("0000-01-01", "1999-12-31", "2000-01-01", "2024-02-29", "2100-12-31", "2101-01-01", "9999-12-31"), day);
}

interface Walk {
  known: KnownValues;
  carrier: Carrier;
  mode: Mode;
}

function stringOf(schema: Schema, name: string, w: Walk): fc.Arbitrary<string> {
  const options: fc.Arbitrary<string>[] = w.mode === "hostile" ? [hostileString(w.carrier)] : [];
  const ids = w.known.idsByField[name] ?? w.known.ids;
  if (schema.format === "uuid") options.push(...(w.mode === "valid" ? [fc.constantFrom(...ids)] : [fc.constantFrom(...ids), fc.uuid()]));
  else if (schema.format === "date") options.push(w.mode === "valid" ? fc.constantFrom("2024-01-01", "2024-02-29") : dayStrings());
  else if (schema.format === "date-time") options.push(dayStrings().map((d) => `${d}T12:00:00Z`));
  else if (schema.format === "uri") options.push(fc.webUrl({ validSchemes: ["https"] }));
  else if (schema.format === "base64url") {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("");
    // Whole 4-character groups: every length a multiple of 4 is valid base64url.
    const min = Math.ceil((schema.minLength ?? 0) / 4) * 4;
    const max = Math.max(min, Math.floor((schema.maxLength ?? 64) / 4) * 4);
    options.push(fc.integer({ min: min / 4, max: max / 4 }).chain((groups) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: groups * 4, maxLength: groups * 4 })));
  }
  else if (schema.pattern) options.push(fc.stringMatching(new RegExp(schema.pattern)));
  else if (/email/i.test(name)) options.push(fc.constantFrom(...w.known.emails), fc.emailAddress());
  else options.push(fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) }));
  if (/mediaKey/i.test(name)) options.push(fc.constantFrom(...w.known.mediaKeys));
  return fc.oneof(...options);
}

function numberOf(schema: Schema, integer: boolean, w: Walk): fc.Arbitrary<number> {
  const min = Math.max(schema.minimum ?? -1e9, Number.MIN_SAFE_INTEGER);
  const max = Math.min(schema.maximum ?? 1e9, Number.MAX_SAFE_INTEGER);
  const inRange = integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
  return w.mode === "valid" ? inRange : fc.oneof({ weight: 3, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...hostileNumbers) });
}

function objectOf(schema: Schema, w: Walk): fc.Arbitrary<unknown> {
  const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, sub]) => [key, shaped(sub, key, w)]));
  const record = fc.oneof(
    { weight: 4, arbitrary: fc.record(props, { requiredKeys: (schema.required ?? []).filter((k) => k in props) }) },
    { weight: 1, arbitrary: fc.record(props, { requiredKeys: [] }) },
  );
  if (w.mode === "valid") return record;
  const extra = fc.option(fc.dictionary(fc.string({ maxLength: 12 }), anyValue(w.carrier), { maxKeys: 2 }), { freq: 4 });
  return fc.tuple(record, extra).map(([r, x]) => ({ ...(x ?? {}), ...r }));
}

/** A value shaped by `schema`; when hostile, each part now and then replaced by anything at all (a wrong type). */
function shaped(schema: Schema, name: string, w: Walk): fc.Arbitrary<unknown> {
  if (w.mode === "valid") return exact(schema, name, w);
  return fc.oneof({ weight: 5, arbitrary: exact(schema, name, w) }, { weight: 1, arbitrary: anyValue(w.carrier) });
}

function exact(schema: Schema, name: string, w: Walk): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => shaped(s, name, w)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  if ("const" in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object":
      return objectOf(schema, w);
    case "array":
      return fc.array(shaped(schema.items ?? {}, name, w), { minLength: w.mode === "valid" ? 1 : 0, maxLength: Math.min(schema.maxItems ?? 5, w.mode === "valid" ? 1 : 12) });
    case "string":
      return stringOf(schema, name, w);
    case "integer":
    case "number":
      return numberOf(schema, type === "integer", w);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return anyValue(w.carrier);
  }
}

const jsonSchemaOf = (parser: z.ZodType) => z.toJSONSchema(parser, { io: "input", unrepresentable: "any" }) as Schema;

/**
 * Inputs for a procedure whose input parser is `parser` (none: anything, or nothing):
 * mostly shaped like it, sometimes arbitrary JSON, sometimes no input at all.
 */
export function inputsFor(parser: unknown, known: KnownValues, carrier: Carrier): fc.Arbitrary<unknown> {
  const free = fc.oneof(anyValue(carrier), fc.constant(undefined));
  if (!(parser instanceof z.ZodType)) return free;
  const hostile = shaped(jsonSchemaOf(parser), "", { known, carrier, mode: "hostile" });
  return fc.oneof({ weight: 6, arbitrary: hostile }, { weight: 1, arbitrary: free });
}

/** The input with the value at `path` replaced. */
function replaceAt(input: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(input) ? [...input] : { ...(input as object) }) as Record<string | number, unknown>;
  copy[head] = replaceAt(copy[head], rest, value);
  return copy;
}

function stringLeaves(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

/**
 * The values known to have broken procedures, put into one valid input of this procedure
 * (the first of 2,000 samples the parser accepts): each text field in turn with a NUL and
 * with an unpaired surrogate; every day at once in year 0, then in year 10000 (one day
 * alone would fail a range check first). Null without an input.
 */
export function poisonedInputs(parser: unknown, known: KnownValues, seed: number): { valid: unknown; poisoned: unknown[] } | null {
  if (!(parser instanceof z.ZodType)) return null;
  // Sampled, not filtered: a filter that never accepts would spin forever, synchronously.
  const candidates = fc.sample(shaped(jsonSchemaOf(parser), "", { known, carrier: "url", mode: "valid" }), { numRuns: 2000, seed });
  const input: unknown = candidates.find((v) => parser.safeParse(v).success);
  if (input === undefined) throw new Error("no valid input in 2000 samples: teach hostile-values.ts this input's shape");
  const leaves = stringLeaves(input);
  const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}/.test(value);
  const poisoned = leaves
    .filter(({ value }) => !isDay(value))
    .flatMap(({ path, value }) => [replaceAt(input, path, `${value}\u0000`), replaceAt(input, path, `\uD800${value}`)]);
  const days = leaves.filter(({ value }) => isDay(value));
  if (days.length > 0) {
    for (const year of ["0000", "10000"]) poisoned.push(days.reduce<unknown>((acc, { path, value }) => replaceAt(acc, path, year + value.slice(4)), input));
  }
  return { valid: input, poisoned };
}
