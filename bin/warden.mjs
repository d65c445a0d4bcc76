#!/usr/bin/env node
// `warden` (config as code). The CLI is TypeScript in src/cli, loaded through tsx so the repository
// needs no build step; src uses extensionless imports, which tsx resolves.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
const { processIo } = await import("../src/cli/node-io.ts");
process.exitCode = await main(process.argv.slice(2), processIo());
