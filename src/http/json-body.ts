/**
 * A management-API JSON request body, never more than `maxBytes` of it nor nested deeper than
 * `maxDepth` (DESIGN §8): the declared length is checked first, then what arrives, then the nesting,
 * before anything parses it. Failures are Okta's E0000003 (`ApiError`).
 */
import { ApiError } from "../errors";
import { readBoundedText } from "./bounded-body";
import { nestsDeeperThan } from "./json-depth";
import { mediaType } from "./media-type";

/** The parsed body, or undefined when `optional` and the body is empty. */
export async function readJsonBody(
  request: Request,
  options: { maxBytes: number; maxDepth: number; optional?: boolean },
): Promise<unknown> {
  const { maxBytes } = options;
  const body = await readBoundedText(request, maxBytes);
  if (!body.ok) {
    throw new ApiError(
      "E0000003",
      body.reason === "too_large"
        ? `The request body exceeds ${maxBytes} bytes.`
        : "The request body was not well-formed.",
    );
  }
  const text = body.text;
  if (text.trim() === "" && options.optional) return undefined;
  if (mediaType(request.headers.get("Content-Type")) !== "application/json") {
    throw new ApiError(
      "E0000003",
      "The request body was not well-formed: Content-Type must be application/json.",
    );
  }
  // Before parsing: what follows the parse (validation, the control plane's RPC) recurses.
  if (nestsDeeperThan(text, options.maxDepth)) {
    throw new ApiError(
      "E0000003",
      `The request body was not well-formed: it nests deeper than ${options.maxDepth} levels.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("E0000003", "The request body was not well-formed.");
  }
}
