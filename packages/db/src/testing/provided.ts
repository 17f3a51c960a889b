/** Values the global setup hands to every test file (vitest `provide` / `inject`). */
declare module "vitest" {
  export interface ProvidedContext {
    dbBackend: "pglite" | "postgres";
    pgliteTemplatePath: string;
    pgAdminUrl: string;
    pgTemplateName: string;
  }
}

export {};
