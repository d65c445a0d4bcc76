import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root and the bench folder, wherever the command is run from. */
export const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(BENCH, "..");
