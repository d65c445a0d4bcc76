/** Types of `check-layers.mjs` for the tests that import it. */
export declare const LAYERS: string[][];
export declare function runtimeImports(text: string): { specifier: string; line: number; dynamic: boolean }[];
export declare function checkLayers(srcDir: string): string[];
export declare const CONSOLE_MAY_RUN: string[];
export declare function checkConsoleImports(consoleDir: string, srcDir: string): string[];
