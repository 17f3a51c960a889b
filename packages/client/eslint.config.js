import config from "@companion/eslint-config";

// .build/ holds the sources staged for the published build (scripts/stage-build.ts): generated.
export default [{ ignores: [".build/**"] }, ...config(import.meta.dirname)];
