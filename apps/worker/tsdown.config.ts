import { appBuild } from "@companion/build";

export default appBuild();
