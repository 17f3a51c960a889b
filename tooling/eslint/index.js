// Shared flat config: type-aware typescript-eslint rules for every workspace.
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/** @param {string} tsconfigRootDir the package directory (import.meta.dirname) */
export default function config(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        "@typescript-eslint/no-floating-promises": "error",
        "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
        "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        "@typescript-eslint/no-non-null-assertion": "error",
        "@typescript-eslint/only-throw-error": "off",
        "@typescript-eslint/require-await": "off",
        "no-console": ["error", { allow: ["error"] }],
      },
    },
    {
      // No import cycles, across packages too; type-only imports are erased at run time and do not count.
      plugins: { "import-x": importX },
      settings: {
        "import-x/extensions": [".ts", ".js"],
        "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
        "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js"] })],
      },
      rules: { "import-x/no-cycle": ["error", { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }] },
    },
    {
      files: ["**/*.test.ts", "**/test/**/*.ts", "**/bench/**/*.ts"],
      rules: {
        "@typescript-eslint/no-non-null-assertion": "off",
        "@typescript-eslint/no-unsafe-member-access": "off",
        "@typescript-eslint/no-unsafe-assignment": "off",
        "no-console": "off",
      },
    },
  );
}
