import config from "@companion/eslint-config";

export default config(import.meta.dirname);
