/**
 * The API reference as one server-rendered HTML page, from the OpenAPI document itself: every
 * operation by tag with its parameters, body and answers, and every schema as a table of fields.
 * No script, and no stylesheet or font from elsewhere: it works offline and under a CSP that
 * allows only its own inline style. Every string from the document is escaped.
 */
import type {
  JsonSchema,
  Method,
  OpenApiDocument,
  OperationObject,
  PathItem,
  Reference,
  Response,
} from "./document";

/** The page's only style; the router allows exactly this text by its hash (CSP `style-src`). */
export const REFERENCE_STYLE = `
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2330;display:grid;grid-template-columns:19rem 1fr}
nav{position:sticky;top:0;height:100vh;overflow:auto;padding:1rem;background:#f4f5f8;font-size:13px;box-sizing:border-box}
nav ul{list-style:none;padding-left:.6rem;margin:.2rem 0}nav li{margin:.15rem 0}nav>ul{padding:0}nav a{color:inherit;text-decoration:none}
main{padding:1rem 2rem;max-width:70rem;min-width:0}h1{margin-top:0}
article{border-top:1px solid #dde;padding:.5rem 0 1rem}h3{font-size:1.05rem}h4{margin:.8rem 0 .3rem}
code{font:13px ui-monospace,monospace;background:#eef0f5;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}
td:first-child{white-space:nowrap}td:first-child code{overflow-wrap:normal}td table{margin-bottom:.6rem}
table{border-collapse:collapse;width:100%;font-size:13px;margin:.3rem 0}th,td{border:1px solid #dde;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f4f5f8}.m{display:inline-block;min-width:3.6rem;font:bold 12px ui-monospace,monospace;color:#fff;border-radius:3px;text-align:center;padding:1px 4px}
.get{background:#2f7d32}.post{background:#1f5fbf}.put{background:#a15c00}.delete{background:#b3261e}.req{color:#b3261e}
`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline markup the document's descriptions use: `code` and **strong**, after escaping. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

/** Paragraphs and `- ` lists. */
function prose(text: string | undefined): string {
  if (!text) return "";
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split("\n");
      return lines.every((l) => l.startsWith("- "))
        ? `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join("")}</ul>`
        : `<p>${inline(block)}</p>`;
    })
    .join("");
}

const METHODS: readonly Method[] = ["get", "post", "put", "delete"];

const anchor = (prefix: string, name: string) => escapeHtml(`${prefix}-${name}`);

function schemaName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

function schemaLink(ref: string): string {
  const name = schemaName(ref);
  return `<a href="#${anchor("schema", name)}">${escapeHtml(name)}</a>`;
}

/** A schema's type in a few words, linking named schemas. */
function typeOf(schema: JsonSchema | boolean | undefined): string {
  if (schema === undefined || typeof schema === "boolean") return "any";
  if (schema.$ref) return schemaLink(schema.$ref);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const objects = shapes(schema).length;
    const others = alternatives.filter((a) => !a.properties && shapes(a).length === 0).map(typeOf);
    return [...(objects > 1 ? [`object (${objects} shapes)`] : objects ? ["object"] : []), ...others].join(
      " or ",
    );
  }
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.type)) return schema.type.map((t) => escapeHtml(t)).join(" or ");
  if (schema.type === "array") {
    return `array of ${Array.isArray(schema.items) ? "items" : typeOf(schema.items)}`;
  }
  if (schema.type === "object" && typeof schema.additionalProperties === "object" && !schema.properties) {
    return `map of ${typeOf(schema.additionalProperties)}`;
  }
  return escapeHtml(schema.type ?? "any");
}

/** The alternatives of a union (a nullable one's included) that are objects with fields of their own. */
function shapes(schema: JsonSchema): JsonSchema[] {
  return (schema.anyOf ?? schema.oneOf ?? []).flatMap((a) => (a.properties ? [a] : shapes(a)));
}

const LARGEST_SAFE = Number.MAX_SAFE_INTEGER;

/** What a schema allows beyond its type: values, default, bounds. */
function constraints(schema: JsonSchema): string[] {
  const parts: string[] = [];
  // An enum described member by member (`views.ts`) is listed in its description already.
  const listed = schema.enum?.every((v) => schema.description?.includes(`\`${v}\`:`));
  if (schema.enum && !listed) {
    parts.push(`one of ${schema.enum.map((v) => `<code>${escapeHtml(String(v))}</code>`).join(", ")}`);
  }
  if (schema.default !== undefined) {
    parts.push(`default <code>${escapeHtml(JSON.stringify(schema.default))}</code>`);
  }
  const bound = (label: string, value: number | boolean | undefined) => {
    if (typeof value === "number" && Math.abs(value) < LARGEST_SAFE) parts.push(`${label} ${value}`);
  };
  bound("min length", schema.minLength);
  bound("max length", schema.maxLength);
  bound("minimum", schema.minimum);
  bound("maximum", schema.maximum);
  bound("min items", schema.minItems);
  bound("max items", schema.maxItems);
  if (schema.format) parts.push(`format <code>${escapeHtml(schema.format)}</code>`);
  // A format says it better than its regular expression.
  else if (schema.pattern) parts.push(`pattern <code>${escapeHtml(schema.pattern)}</code>`);
  for (const alternative of schema.anyOf ?? schema.oneOf ?? []) {
    if (alternative.type !== "null" && !alternative.$ref && !alternative.properties) {
      parts.push(...constraints(alternative));
    }
  }
  if (schema.type === "array" && typeof schema.items === "object" && !Array.isArray(schema.items)) {
    const each = schema.items.properties ? [] : constraints(schema.items);
    if (each.length) parts.push(`each: ${each.join(", ")}`);
  }
  return parts;
}

/** The description, then the constraints on a line of their own. */
function notes(schema: JsonSchema | boolean | undefined): string {
  if (schema === undefined || typeof schema === "boolean") return "";
  const described = schema.description
    ? inline(schema.description)
    : (schema.anyOf ?? []).map((a) => (a.description ? inline(a.description) : "")).join("");
  return [described, constraints(schema).join("; ")].filter(Boolean).join("<br>");
}

/** The object whose fields a row's sub-rows list: the schema itself, its array items, or its only object alternative. */
function fieldsOf(
  schema: JsonSchema | boolean | undefined,
): { schema: JsonSchema; suffix: string } | undefined {
  if (schema === undefined || typeof schema === "boolean" || schema.$ref) return undefined;
  if (schema.properties) return { schema, suffix: "" };
  if (schema.type === "array" && typeof schema.items === "object" && !Array.isArray(schema.items)) {
    const items = fieldsOf(schema.items);
    return items ? { schema: items.schema, suffix: `[]${items.suffix}` } : undefined;
  }
  const objects = shapes(schema);
  return objects.length === 1 ? fieldsOf(objects[0]) : undefined;
}

const FIELDS_HEAD = "<tr><th>Field</th><th>Type</th><th></th><th>Notes</th></tr>";

function fieldRows(schema: JsonSchema, prefix: string): string {
  return Object.entries(schema.properties ?? {})
    .map(([name, field]) => {
      const path = `${prefix}${name}`;
      const required = schema.required?.includes(name) ? '<span class="req">required</span>' : "";
      // A union of several object shapes lists each one's fields in a table of its own.
      const alternatives = typeof field === "object" ? shapes(field) : [];
      const each =
        alternatives.length > 1
          ? alternatives.map(
              (a, i) => `<p>Shape ${i + 1}:</p><table>${FIELDS_HEAD}${fieldRows(a, "")}</table>`,
            )
          : [];
      const row = `<tr><td><code>${escapeHtml(path)}</code></td><td>${typeOf(field)}</td><td>${required}</td><td>${[notes(field), ...each].filter(Boolean).join("")}</td></tr>`;
      const nested = fieldsOf(field);
      return nested ? row + fieldRows(nested.schema, `${path}${nested.suffix}.`) : row;
    })
    .join("");
}

function schemaTable(schema: JsonSchema): string {
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives && !schema.properties) {
    return alternatives
      .map(
        (alternative, i) => `<h4>One of (${i + 1} of ${alternatives.length})</h4>${schemaTable(alternative)}`,
      )
      .join("");
  }
  if (!schema.properties) return `<p>Type: ${typeOf(schema)}. ${constraints(schema).join("; ")}</p>`;
  return `<table>${FIELDS_HEAD}${fieldRows(schema, "")}</table>`;
}

function responseOf(doc: OpenApiDocument, answer: Response | Reference): Response {
  if (!("$ref" in answer)) return answer;
  const shared = doc.components.responses[schemaName(answer.$ref)];
  return {
    ...(shared ?? { description: "" }),
    ...(answer.description ? { description: answer.description } : {}),
  };
}

function authentication(op: OperationObject): string {
  if (op.security.length === 0) return "<p><strong>Authentication:</strong> none, public.</p>";
  const scopes = op.security.flatMap((s) => s.oauth2 ?? []);
  const bearer = scopes.length
    ? `, or a bearer token with ${scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(" and ")}`
    : " (no bearer token scope allows it)";
  return `<p><strong>Authentication:</strong> <code>SSWS</code> API token${bearer}.</p>`;
}

function operationSection(
  doc: OpenApiDocument,
  path: string,
  item: PathItem,
  method: Method,
  op: OperationObject,
): string {
  const parameters = op.parameters?.length
    ? `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Notes</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ""}</td><td>${escapeHtml(p.in)}</td><td>${typeOf(p.schema)}</td><td>${[inline(p.description), notes({ ...p.schema, description: undefined })].filter(Boolean).join("; ")}</td></tr>`,
        )
        .join("")}</table>`
    : "";
  const body = op.requestBody
    ? `<h4>Request body</h4>${Object.entries(op.requestBody.content)
        .map(
          ([type, { schema }]) =>
            `<p><code>${escapeHtml(type)}</code>: ${typeOf(schema)}${op.requestBody?.required ? "" : " (optional: the body may be empty)"}</p>`,
        )
        .join("")}`
    : "";
  const responses = Object.entries(op.responses)
    .map(([status, answer]) => {
      const response = responseOf(doc, answer);
      const content = Object.entries(response.content ?? {})
        .map(([type, { schema }]) => `<code>${escapeHtml(type)}</code>: ${typeOf(schema)}`)
        .join("<br>");
      const headers = Object.entries(response.headers ?? {})
        .map(([name, h]) => `<br>Header <code>${escapeHtml(name)}</code>: ${inline(h.description)}`)
        .join("");
      return `<tr><td>${escapeHtml(status)}</td><td>${inline(response.description)}${headers}</td><td>${content}</td></tr>`;
    })
    .join("");
  return `<article id="${anchor("op", op.operationId)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${inline(op.summary)} <small>(<code>${escapeHtml(op.operationId)}</code>)</small></p>${prose(op.description)}${prose(item.description)}${authentication(op)}${parameters}${body}
<h4>Responses</h4><table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>${responses}</table></article>`;
}

function securitySection(doc: OpenApiDocument): string {
  const schemes = Object.entries(doc.components.securitySchemes)
    .map(([name, scheme]) => {
      const flows = scheme.flows as {
        clientCredentials?: { tokenUrl: string; scopes: Record<string, string> };
      };
      const client = flows?.clientCredentials;
      const scopes = client
        ? `<p>Token URL <code>${escapeHtml(client.tokenUrl)}</code>.</p><table><tr><th>Scope</th><th>Allows</th></tr>${Object.entries(
            client.scopes,
          )
            .map(
              ([scope, what]) =>
                `<tr><td><code>${escapeHtml(scope)}</code></td><td>${inline(what)}</td></tr>`,
            )
            .join("")}</table>`
        : "";
      return `<h3>${escapeHtml(name)} <small>(${escapeHtml(String(scheme.type))})</small></h3>${prose(String(scheme.description ?? ""))}${scopes}`;
    })
    .join("");
  return `<section id="authentication"><h2>Authentication</h2>${schemes}</section>`;
}

export function renderReferencePage(doc: OpenApiDocument): string {
  const byTag = new Map<string, { path: string; item: PathItem; method: Method; op: OperationObject }[]>(
    doc.tags.map((t) => [t.name, []]),
  );
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      for (const tag of op.tags) {
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag)?.push({ path, item, method, op });
      }
    }
  }
  const descriptions = new Map(doc.tags.map((t) => [t.name, t.description]));

  const nav = [...byTag]
    .map(
      ([tag, ops]) =>
        `<li><a href="#${anchor("tag", tag)}"><strong>${escapeHtml(tag)}</strong></a><ul>${ops
          .map(
            ({ method, path, op }) =>
              `<li><a href="#${anchor("op", op.operationId)}" title="${escapeHtml(path)}"><span class="m ${method}">${method.toUpperCase()}</span> ${inline(op.summary)}</a></li>`,
          )
          .join("")}</ul></li>`,
    )
    .join("");
  const sections = [...byTag]
    .map(
      ([tag, ops]) =>
        `<section id="${anchor("tag", tag)}"><h2>${escapeHtml(tag)}</h2>${prose(descriptions.get(tag))}${ops
          .map(({ path, item, method, op }) => operationSection(doc, path, item, method, op))
          .join("\n")}</section>`,
    )
    .join("\n");
  const schemas = Object.entries(doc.components.schemas)
    .map(
      ([name, schema]) =>
        `<article id="${anchor("schema", name)}"><h3>${escapeHtml(name)}</h3>${prose(schema.description)}${schemaTable(schema)}</article>`,
    )
    .join("\n");
  const title = escapeHtml(doc.info.title);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${REFERENCE_STYLE}</style></head>
<body><nav><p><strong>${title}</strong></p><ul><li><a href="#authentication"><strong>Authentication</strong></a></li>${nav}<li><a href="#schemas"><strong>Schemas</strong></a></li></ul></nav>
<main><h1>${title} <small>${escapeHtml(doc.info.version)}</small></h1>${prose(doc.info.description)}
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)}).</p>
${securitySection(doc)}
${sections}
<section id="schemas"><h2>Schemas</h2>${schemas}</section></main></body></html>`;
}
