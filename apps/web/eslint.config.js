import config from "@companion/eslint-config";

export default [...config(import.meta.dirname), { ignores: [".next/**", "next-env.d.ts", "e2e/screenshots/**"] }];
