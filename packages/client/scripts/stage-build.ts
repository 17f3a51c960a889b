/**
 * Stages the published sources in .build/src: src as it is, except router.ts, written again with
 * the server's types spelled out. tsdown builds dist/ from there (tsdown.config.ts).
 *
 * TypeScript's declaration emit keeps a type alias by name, so a `.d.ts` built from src/router.ts
 * would import `@companion/api`, and through it the server's source (db, services, drizzle). This
 * script asks the compiler for the resolved types instead and prints them as plain data types:
 * every procedure as `TRPCQueryProcedure<{ input; output; meta }>` (or mutation, subscription),
 * the error shape and meta as object types. The output imports `@trpc/server` only.
 *
 * The `build` script runs it before tsdown.
 */
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const packageDir = join(import.meta.dirname, "..");
const stageDir = join(packageDir, ".build/src");

const configPath = join(packageDir, "tsconfig.json");
const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")) });
if (!config) throw new Error(`cannot read ${configPath}`);
const entry = join(packageDir, "src/router.ts");
const program = ts.createProgram([entry], { ...config.options, noEmit: true });
const checker = program.getTypeChecker();

const source = program.getSourceFile(entry);
const moduleSymbol = source && checker.getSymbolAtLocation(source);
const routerSymbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === "AppRouter");
if (!routerSymbol) fail("src/router.ts exports no AppRouter");
const routerType = checker.getDeclaredTypeOfSymbol(routerSymbol);

function fail(message: string): never {
  throw new Error(`stage-build: ${message}`);
}

function prop(type: ts.Type, name: string, where: string): ts.Type {
  const symbol = checker.getPropertyOfType(type, name);
  if (!symbol) fail(`${where} has no property ${name}`);
  return checker.getTypeOfSymbol(symbol);
}

const propertyName = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

/** Library types an app has too, printed by name with their type arguments. */
const GLOBAL_GENERICS = new Set(["AsyncIterable", "AsyncIterableIterator", "AsyncGenerator", "Promise", "ReadonlyArray", "Array", "Record"]);

/**
 * Prints a data type (what crosses the wire) structurally. `seen` holds the object types being
 * printed, so a recursive type fails here instead of looping: none exists today, and one would
 * need a named alias in the output.
 */
function printType(type: ts.Type, where: string, seen: ts.Type[] = []): string {
  const f = type.flags;
  if (f & ts.TypeFlags.Any) return "any";
  if (f & ts.TypeFlags.Unknown) return "unknown";
  if (f & ts.TypeFlags.Never) return "never";
  if (f & ts.TypeFlags.String) return "string";
  if (f & ts.TypeFlags.Number) return "number";
  if (f & ts.TypeFlags.BigInt) return "bigint";
  if (f & ts.TypeFlags.Boolean) return "boolean";
  if (f & ts.TypeFlags.Null) return "null";
  if (f & ts.TypeFlags.Undefined) return "undefined";
  if (f & ts.TypeFlags.Void) return "void";
  if (f & ts.TypeFlags.ESSymbol || f & ts.TypeFlags.UniqueESSymbol) return "symbol";
  if (f & ts.TypeFlags.StringLiteral) return JSON.stringify((type as ts.StringLiteralType).value);
  if (f & ts.TypeFlags.NumberLiteral) return String((type as ts.NumberLiteralType).value);
  if (f & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type);
  if (f & ts.TypeFlags.NonPrimitive) return "object";
  if (type.isUnion()) {
    // `boolean` is `true | false` inside a union: print it back as one word.
    const parts = type.types.map((t) => printType(t, where, seen));
    const hasTrue = parts.includes("true");
    const hasFalse = parts.includes("false");
    const merged = hasTrue && hasFalse ? [...parts.filter((p) => p !== "true" && p !== "false"), "boolean"] : parts;
    return merged.map((p) => (p.includes("=>") ? `(${p})` : p)).join(" | ");
  }
  if (type.isIntersection()) return type.types.map((t) => `(${printType(t, where, seen)})`).join(" & ");
  if (f & ts.TypeFlags.Object) {
    if (seen.includes(type)) fail(`${where}: a recursive type (${checker.typeToString(type)})`);
    const inner = [...seen, type];
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      if (!element) fail(`${where}: an array without an element type`);
      const readonly = type.symbol?.name === "ReadonlyArray" ? "readonly " : "";
      return `${readonly}(${printType(element, where, inner)})[]`;
    }
    if (checker.isTupleType(type)) {
      const target = (type as ts.TypeReference).target as ts.TupleType;
      const elements = checker.getTypeArguments(type as ts.TypeReference).map((t, i) => {
        const flag = target.elementFlags[i] ?? ts.ElementFlags.Required;
        const printed = printType(t, where, inner);
        if (flag & ts.ElementFlags.Rest) return `...(${printed})[]`;
        return flag & ts.ElementFlags.Optional ? `(${printed})?` : printed;
      });
      return `${target.readonly ? "readonly " : ""}[${elements.join(", ")}]`;
    }
    const name = type.symbol?.name;
    if (name === "Date") return "Date";
    if (name && GLOBAL_GENERICS.has(name) && (type as ts.TypeReference).target) {
      const args = checker.getTypeArguments(type as ts.TypeReference).map((t) => printType(t, where, inner));
      return `${name}<${args.join(", ")}>`;
    }
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      fail(`${where}: a function type cannot cross the wire (${checker.typeToString(type)})`);
    }
    const members: string[] = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      members.push(`${info.isReadonly ? "readonly " : ""}[key: ${printType(info.keyType, where, inner)}]: ${printType(info.type, where, inner)};`);
    }
    for (const symbol of checker.getPropertiesOfType(type)) {
      if (symbol.name.startsWith("__@")) fail(`${where}: a symbol-keyed property (${checker.typeToString(type)})`);
      const optional = symbol.flags & ts.SymbolFlags.Optional ? "?" : "";
      const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
      const readonly = decl && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly ? "readonly " : "";
      members.push(`${readonly}${propertyName(symbol.name)}${optional}: ${printType(checker.getTypeOfSymbol(symbol), `${where}.${symbol.name}`, inner)};`);
    }
    return members.length === 0 ? "{}" : `{ ${members.join(" ")} }`;
  }
  return fail(`${where}: cannot print ${checker.typeToString(type)}`);
}

const PROCEDURE_TYPES = { query: "TRPCQueryProcedure", mutation: "TRPCMutationProcedure", subscription: "TRPCSubscriptionProcedure" } as const;

/** A router record: nested records as objects, procedures as tRPC's procedure interfaces. */
function printRecord(record: ts.Type, path: string, indent: string): string {
  const lines: string[] = [];
  for (const symbol of checker.getPropertiesOfType(record)) {
    const where = path ? `${path}.${symbol.name}` : symbol.name;
    const value = checker.getTypeOfSymbol(symbol);
    const def = checker.getPropertyOfType(value, "_def");
    if (def && checker.getPropertyOfType(checker.getTypeOfSymbol(def), "procedure")) {
      const defType = checker.getTypeOfSymbol(def);
      const kind = prop(defType, "type", where);
      if (!kind.isStringLiteral() || !(kind.value in PROCEDURE_TYPES)) fail(`${where}: unknown procedure type`);
      const types = prop(defType, "$types", where);
      const procedure = PROCEDURE_TYPES[kind.value as keyof typeof PROCEDURE_TYPES];
      const input = printType(prop(types, "input", where), `${where} input`);
      const output = printType(prop(types, "output", where), `${where} output`);
      const meta = printType(prop(value, "meta", where), `${where} meta`);
      lines.push(`${indent}${propertyName(symbol.name)}: ${procedure}<{ input: ${input}; output: ${output}; meta: ${meta} }>;`);
    } else {
      lines.push(`${indent}${propertyName(symbol.name)}: {\n${printRecord(value, where, `${indent}  `)}\n${indent}};`);
    }
  }
  return lines.join("\n");
}

const def = prop(routerType, "_def", "AppRouter");
const root = prop(prop(def, "_config", "AppRouter._def"), "$types", "AppRouter._def._config");
const transformer = prop(root, "transformer", "root");
if (!(transformer.flags & ts.TypeFlags.BooleanLiteral) || checker.typeToString(transformer) !== "false") {
  fail("the router has a transformer: print its type too");
}

const output = `/**
 * Written by scripts/stage-build.ts from the server's router: do not edit. The
 * procedures' input and output types as the server declares them, without its context type.
 */
import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from "@trpc/server";

type Meta = ${printType(prop(root, "meta", "root"), "meta")};
type ErrorShape = ${printType(prop(root, "errorShape", "root"), "errorShape")};

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: Meta; errorShape: ErrorShape; transformer: false },
  {
${printRecord(prop(def, "record", "AppRouter._def"), "", "    ")}
  }
>;
`;

rmSync(stageDir, { recursive: true, force: true });
cpSync(join(packageDir, "src"), stageDir, { recursive: true, filter: (path) => !path.endsWith(".test.ts") });
writeFileSync(join(stageDir, "router.ts"), output);

// The printed router must say what the source says: each procedure's input and output, both ways
// assignable. A printer that drops a field or widens a type stops the build here.
const checkFile = join(packageDir, ".build/check.ts");
writeFileSync(
  checkFile,
  `import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter as Source } from "../src/router.ts";
import type { AppRouter as Built } from "./src/router.ts";
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const inputs: Same<inferRouterInputs<Source>, inferRouterInputs<Built>> = true;
export const outputs: Same<inferRouterOutputs<Source>, inferRouterOutputs<Built>> = true;
export const errors: Same<Source["_def"]["_config"]["$types"]["errorShape"], Built["_def"]["_config"]["$types"]["errorShape"]> = true;
`,
);
const check = ts.createProgram([checkFile], { ...config.options, noEmit: true });
const problems = ts.getPreEmitDiagnostics(check, check.getSourceFile(checkFile));
if (problems.length > 0) {
  fail(`the printed router differs from src/router.ts:\n${ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => packageDir, getNewLine: () => "\n" })}`);
}
