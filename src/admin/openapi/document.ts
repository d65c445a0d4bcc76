/**
 * The management API's OpenAPI 3.1 document, generated from the zod schemas (`z.toJSONSchema`) and
 * the operation table once per isolate, on first use. Generating it here rather than shipping a
 * static copy keeps it true to the schemas the routes validate with, and costs the bundle only the
 * table: the schemas and zod's generator are in the Worker already.
 */
import * as z from "zod";
import { version } from "../../../package.json";
import { OKTA_SCOPES, type OktaScope } from "../../config/schemas";
import { requiredScopes } from "../auth";
import { requestSchemas, responseSchemas } from "./components";
import { OPERATIONS, type Operation, PATH_PARAMETERS, TAGS } from "./operations";

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** OpenAPI 3.1 Reference Object: its `description` replaces the target's. */
export interface Reference {
  $ref: string;
  description?: string;
}

export interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description: string;
  schema: JsonSchema;
}

export interface MediaTypes {
  [mediaType: string]: { schema: JsonSchema };
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: MediaTypes;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: MediaTypes };
  responses: Record<string, Response | Reference>;
  security: Record<string, string[]>[];
}

export type Method = Operation["method"];

export type PathItem = { description?: string } & { [M in Method]?: OperationObject };

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

const DESCRIPTION = `Warden's management API, at Okta's paths and in Okta's shapes: Okta's SDKs work against it unchanged.

- **Authentication**: \`Authorization: SSWS {api token}\` (full access), or \`Authorization: Bearer {access token}\` from the org authorization server at \`/oauth2/v1/token\`, limited by its \`okta.*\` scopes: a \`…read\` scope allows GET, a \`…manage\` scope every method.
- **Errors** have Okta's shape (\`Error\`): \`errorCode\`, \`errorSummary\`, and one \`errorCauses\` entry per invalid field. Invalid input is a 400 and changes nothing.
- **Pagination**: \`limit\` and \`after\`; the \`Link\` header (RFC 8288) has \`next\` while more remain.
- **Consistency**: an admin reads its own writes; a change reaches every edge's token endpoint within the published propagation bound.

This document and the reference page (\`/api/v1/reference\`) are public: they describe the API and hold no data. URLs in them are relative to this Warden's origin.`;

const errorBody = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };

const ERROR_RESPONSES: Record<string, Response> = {
  BadRequest: {
    description:
      "Invalid input, and nothing changed: E0000001 with one cause per field, or E0000003 for a body that is not JSON or is too large.",
    content: errorBody,
  },
  Unauthorized: {
    description: "No valid credential: E0000011.",
    headers: {
      "WWW-Authenticate": { description: "The SSWS and Bearer challenges.", schema: { type: "string" } },
    },
    content: errorBody,
  },
  Forbidden: {
    description: "A bearer token without the operation's scope: E0000006.",
    headers: {
      "WWW-Authenticate": {
        description: 'Bearer error="insufficient_scope", with the scope needed (RFC 6750 §3.1).',
        schema: { type: "string" },
      },
    },
    content: errorBody,
  },
  NotFound: { description: "E0000007, naming the object that does not exist.", content: errorBody },
  MethodNotAllowed: { description: "E0000022: the path does not support the method.", content: errorBody },
};

const SECURITY_SCHEMES = {
  apiToken: {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "`SSWS {token}`: the bootstrap token (the `ADMIN_API_TOKEN` secret) or one from `POST /api/v1/api-tokens`. Full access.",
  },
  oauth2: {
    type: "oauth2",
    description:
      "`Bearer {access token}` from the org authorization server: `client_credentials` with `private_key_jwt` (RFC 7523), for an app granted the scopes (its `grants`).",
    flows: {
      clientCredentials: {
        tokenUrl: "/oauth2/v1/token",
        scopes: Object.fromEntries(OKTA_SCOPES.map((scope) => [scope, scopeDescription(scope)])),
      },
    },
  },
};

/** `okta.inlineHooks.manage` → "Read and change inline hooks", `okta.apiTokens.read` → "Read API tokens". */
function scopeDescription(scope: OktaScope): string {
  const [, resource = "", access] = scope.split(".");
  const words = resource.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`).replace(/^api /, "API ");
  return `${access === "manage" ? "Read and change" : "Read"} ${words}`;
}

/** Named schemas as JSON Schema; one named inside another becomes a `$ref` to it. */
function componentSchemas(named: Record<string, z.ZodType>, io: "input" | "output") {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` });
  // Components live in one document: `$id` and `$schema` would make each its own resource.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]),
  );
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

function successResponse(op: Operation): Response {
  const description = op.status === 204 ? "Done; no body." : op.status === 201 ? "Created." : "OK.";
  const response: Response = { description };
  if (op.html) response.content = { "text/html": { schema: { type: "string" } } };
  else if (op.returns !== undefined) {
    const schema: JsonSchema =
      typeof op.returns === "string" ? ref(op.returns) : { type: "array", items: ref(op.returns[0]) };
    response.content = { "application/json": { schema } };
  } else if (op.status !== 204) response.content = { "application/json": { schema: { type: "object" } } };
  if (op.paged) {
    response.headers = {
      Link: {
        description: 'RFC 8288 links: `rel="self"`, and `rel="next"` while more remain.',
        schema: { type: "string" },
      },
    };
  }
  return response;
}

function operationObject(op: Operation): OperationObject {
  const pathParameters = [...op.path.matchAll(/\{(\w+)\}/g)].map(
    ([, name = ""]): Parameter => ({
      name,
      in: "path",
      required: true,
      description: PATH_PARAMETERS[name] ?? name,
      schema: { type: "string" },
    }),
  );
  const queryParameters = (op.query ?? []).map(
    (p): Parameter => ({
      name: p.name,
      in: "query",
      required: false,
      description: p.description,
      schema: jsonSchema(p.schema, "input"),
    }),
  );
  const parameters = [...pathParameters, ...queryParameters];

  const responses: OperationObject["responses"] = { [op.status]: successResponse(op) };
  if (op.body || op.refuses || op.query?.some((p) => p.checked)) {
    // A refusal of its own is said with it; a body or query can still be invalid beside it.
    const refusal =
      op.refuses && (op.body ? `${ERROR_RESPONSES.BadRequest?.description} ${op.refuses}` : op.refuses);
    responses[400] = {
      $ref: "#/components/responses/BadRequest",
      ...(refusal ? { description: refusal } : {}),
    };
  }
  if (!op.public) {
    responses[401] = { $ref: "#/components/responses/Unauthorized" };
    responses[403] = { $ref: "#/components/responses/Forbidden" };
  }
  if (pathParameters.length > 0) responses[404] = { $ref: "#/components/responses/NotFound" };

  // The scopes come from the authorization check itself, so the document cannot promise another.
  const scopes = requiredScopes(op.method.toUpperCase(), op.path);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: !op.optionalBody,
            content: { "application/json": { schema: ref(op.body) } },
          },
        }
      : {}),
    responses,
    security: op.public ? [] : [{ apiToken: [] }, ...(scopes ? [{ oauth2: [...scopes] }] : [])],
  };
}

function buildDocument(): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {
      description: "A method not listed here answers 405 (`MethodNotAllowed`) with an `Allow` header.",
    };
    (paths[op.path] as PathItem)[op.method] = operationObject(op);
  }
  return {
    openapi: "3.1.0",
    info: { title: "Warden Management API", version, description: DESCRIPTION },
    servers: [{ url: "/", description: "This Warden" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: {
        ...componentSchemas(requestSchemas, "input"),
        ...componentSchemas(responseSchemas, "output"),
      },
      responses: ERROR_RESPONSES,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

let built: OpenApiDocument | undefined;

/** The document, built on first use: an isolate that never serves it never pays for it. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildDocument();
  return built;
}
