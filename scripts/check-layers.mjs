#!/usr/bin/env node
/**
 * Layering check for the Worker's source (`npm run lint` runs it; `test/unit/layers.test.ts` tests it).
 *
 * It reads every `src/**\/*.ts` except `src/cli/` (the Node-only CLI, never imported by the Worker),
 * finds each *runtime* import or re-export of a relative path, resolves it to a file, and fails when
 *   (a) a file imports a folder in a higher layer than its own, or
 *   (b) runtime imports form a cycle between files.
 * Type-only imports (`import type …`, `export type … from`, or an import whose every named binding is
 * `type X`) are erased before the Worker runs, so they may point anywhere. Dynamic `import()` is a
 * runtime import too; it counts for layering but not for cycles (it never runs at evaluation time).
 *
 * A file's folder is its first path segment under `src/`; `src/errors.ts` is the `errors` layer and
 * every other root file (`app.ts`, `index.ts`, `context.ts`, `env.ts`) is the top layer. Layer order,
 * lowest first; folders on one line are one layer (they may import each other, never in a cycle):
 *
 *   errors                 the two error vocabularies (OAuth, Okta): everything may throw them
 *   http, crypto           request bodies, media types, URL rules; random tokens and hashes
 *   verify                 the resource-server verifier (`warden/verify`): stands alone
 *   claims                 pure expression language and claim resolution
 *   config                 the edge's read side: schemas, defaults, KV keys, snapshot / client stores
 *   log                    the system log: events, isolate counters, queue consumer, D1 store and
 *                          query; above `config` (its defaults), below everything that emits events
 *                          (keys, hooks, oauth, control-plane, admin)
 *   policy                 pure policy engine over a snapshot
 *   tokens                 claim-set building and signing
 *   keys                   key vault Durable Object, schedule, keysets
 *   hooks                  token inline hook client
 *   directory              users, groups, app assignments and passwords in D1: read by the user
 *                          grants (oauth) and written by the management API
 *   grants                 the Grant Durable Object: authorization codes, (issue 12) refresh
 *                          families, whether a grant still stands; reached by oauth through its port
 *   oauth                  protocol endpoints and the token pipeline
 *   signin                 /v1/authorize, the hosted sign-in page, sessions, /api/v1/authn,
 *                          logout: browser-facing endpoints built on oauth's policy and grants
 *   control-plane          the write side: ControlPlane Durable Object and its stores
 *   admin                  management API routes
 *   (root files)           app.ts, index.ts, context.ts, env.ts
 *
 * `errors` sits below `http` because `http/json-body.ts` answers with an `ApiError`.
 *
 * The admin console (console/src) is checked too: it may run only `src/claims/expression` (see
 * `checkConsoleImports`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const LAYERS = [
  ["errors"],
  ["http", "crypto"],
  ["verify"],
  ["claims"],
  ["config"],
  ["log"],
  ["policy"],
  ["tokens"],
  ["keys"],
  ["hooks"],
  ["directory"],
  ["grants"],
  ["oauth"],
  ["signin"],
  ["control-plane"],
  ["admin"],
  ["(root)"],
];

/** Folders outside the Worker: not scanned. */
const EXCLUDED = new Set(["cli"]);

const RANK = new Map(LAYERS.flatMap((names, rank) => names.map((name) => [name, rank])));

/**
 * The source with comments blanked out (newlines kept, so offsets still give line numbers) and
 * string and template literals left as they are.
 */
function withoutComments(text) {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      while (i < n && text[i] !== "\n") {
        out += " ";
        i++;
      }
    } else if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < n && text[j] !== ch) {
        if (text[j] === "\\") j++;
        else if (ch !== "`" && text[j] === "\n") break;
        j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** True when every binding of `import { … }` / `export { … }` is `type X`. */
function allTypeBindings(braced) {
  const names = braced
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

/**
 * The runtime imports of one file: `{ specifier, line, dynamic }`. Static statements are matched
 * from their keyword at a statement start to their `from "…"`, across lines.
 */
export function runtimeImports(text) {
  const source = withoutComments(text);
  const lineAt = (offset) => source.slice(0, offset).split("\n").length;
  const found = [];
  const statement =
    /(^|[;}\n])[ \t]*(import|export)\s+((?:type\s+)?(?:[\w$*\s,]*?(?:\{[^}]*\})?[\w$*\s,]*?)\s+from\s+)?(["'])([^"'\n]+)\4/g;
  for (const m of source.matchAll(statement)) {
    const keyword = m[2];
    const clause = m[3];
    const offset = m.index + m[1].length;
    if (clause === undefined) {
      // `import "x"` (a side effect); `export "x"` is not a statement.
      if (keyword === "import") found.push({ specifier: m[5], line: lineAt(offset), dynamic: false });
      continue;
    }
    const bindings = clause.replace(/\s+from\s+$/, "").trim();
    if (/^type\s/.test(bindings)) continue;
    const braced = /^\{([^}]*)\}$/.exec(bindings);
    if (braced && allTypeBindings(braced[1])) continue;
    found.push({ specifier: m[5], line: lineAt(offset), dynamic: false });
  }
  for (const m of source.matchAll(/\bimport\s*\(\s*(["'])([^"'\n]+)\1\s*\)/g)) {
    found.push({ specifier: m[2], line: lineAt(m.index), dynamic: true });
  }
  return found;
}

function listTs(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listTs(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, join(base, "index.ts")];
  if (base.endsWith(".js")) candidates.push(`${base.slice(0, -3)}.ts`);
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The layer name of a path relative to `src/`. */
function folderOf(rel) {
  const parts = rel.split(sep);
  if (parts.length === 1) return parts[0] === "errors.ts" ? "errors" : "(root)";
  return parts[0];
}

/** Every cycle's files, one cycle per strongly connected component (Tarjan). */
function cyclesOf(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const { to: w } of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), indices.get(w)));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
      if (component.length > 1 || selfLoop) components.push(new Set(component));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);

  // One concrete cycle per component: a path from its first file back to it.
  return components.map((members) => {
    const start = [...members].sort()[0];
    const path = [start];
    const seen = new Set([start]);
    const walk = (v) => {
      for (const edge of graph.get(v) ?? []) {
        if (!members.has(edge.to)) continue;
        if (edge.to === start) {
          path.push(edge);
          return true;
        }
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        path.push(edge);
        if (walk(edge.to)) return true;
        path.pop();
      }
      return false;
    };
    walk(start);
    return path;
  });
}

/**
 * Checks the tree under `srcDir`; returns the problems found, each a printable line (empty when
 * the layering holds).
 */
export function checkLayers(srcDir) {
  const root = resolve(srcDir);
  const problems = [];
  const graph = new Map();
  const files = listTs(root).filter((f) => !EXCLUDED.has(relative(root, f).split(sep)[0]));
  const show = (file) => relative(process.cwd(), file) || file;
  for (const file of files) {
    const rel = relative(root, file);
    const folder = folderOf(rel);
    const rank = RANK.get(folder);
    if (rank === undefined) {
      problems.push(
        `${show(file)}: folder '${folder}' has no place in the layer order (scripts/check-layers.mjs)`,
      );
      continue;
    }
    const edges = [];
    graph.set(file, edges);
    for (const { specifier, line, dynamic } of runtimeImports(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveImport(file, specifier);
      if (!target) {
        problems.push(`${show(file)}:${line}: cannot resolve '${specifier}'`);
        continue;
      }
      const targetRel = relative(root, target);
      // Outside `src/` (package.json for the version): not a layer.
      if (targetRel.startsWith("..")) continue;
      const targetFolder = folderOf(targetRel);
      const targetRank = RANK.get(targetFolder);
      if (targetRank === undefined || targetRank > rank) {
        problems.push(
          `${show(file)}:${line}: ${folder} imports ${targetFolder} ('${specifier}'), a higher layer`,
        );
      }
      if (!dynamic) edges.push({ to: target, line, from: file });
    }
  }
  for (const cycle of cyclesOf(graph)) {
    const [start, ...edges] = cycle;
    const steps = edges.map((e) => `  ${show(e.from)}:${e.line} imports ${show(e.to)}`);
    problems.push(`import cycle through ${show(start)}:\n${steps.join("\n")}`);
  }
  return problems;
}

/**
 * The admin console (console/src, a browser bundle) may run Worker code only where it is pure and
 * meant for it: the expression language (`src/claims/expression`, whose compiler the claims screen
 * runs as the admin types). Type-only imports are erased and may point anywhere (the console reads
 * the server's unions, e.g. the policy trace's reasons). Whatever an allowed folder imports must
 * stay inside an allowed folder too, or one import would pull the Worker into the bundle.
 */
export const CONSOLE_MAY_RUN = ["claims/expression"];

function listSources(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...listSources(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

function resolveSource(from, specifier) {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find(
    (c) => existsSync(c) && statSync(c).isFile(),
  );
}

/** Checks console/src's imports of `srcDir`; returns the problems found (empty when none). */
export function checkConsoleImports(consoleDir, srcDir) {
  const src = resolve(srcDir);
  const allowed = CONSOLE_MAY_RUN.map((folder) => join(src, ...folder.split("/")));
  const inAllowed = (file) => allowed.some((dir) => file.startsWith(dir + sep));
  const show = (file) => relative(process.cwd(), file) || file;
  const problems = [];
  const seen = new Set();
  const queue = listSources(resolve(consoleDir));
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { specifier, line } of runtimeImports(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveSource(file, specifier);
      if (!target) {
        problems.push(`${show(file)}:${line}: cannot resolve '${specifier}'`);
        continue;
      }
      if (relative(src, target).startsWith("..")) {
        // Console code importing console code; an allowed folder's file never leaves it (below).
        if (inAllowed(file))
          problems.push(
            `${show(file)}:${line}: the console may run it, so it must not import '${specifier}'`,
          );
        else queue.push(target);
        continue;
      }
      if (!inAllowed(target)) {
        problems.push(
          `${show(file)}:${line}: the console imports '${specifier}' (${show(target)}): only ${CONSOLE_MAY_RUN.map((f) => `src/${f}`).join(", ")} may run in the console`,
        );
        continue;
      }
      queue.push(target);
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const srcDir = process.argv[2] ?? join(root, "src");
  const problems = checkLayers(srcDir);
  if (process.argv[2] === undefined)
    problems.push(...checkConsoleImports(join(root, "console", "src"), srcDir));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log("check-layers: ok");
}
