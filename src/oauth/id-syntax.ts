/**
 * Whether a string from a request can be an id at all, checked before any lookup: an id that breaks
 * the rule was never published, and KV refuses keys over 512 bytes with an error that must not turn
 * into a 5xx (DESIGN §8). The rules are the schemas' (src/config/schemas.ts: `ObjectId`, a client's
 * `client_id`), compiled to one regular expression each, because zod's `safeParse` costs more than
 * the test on every token request; test/unit/id-syntax.test.ts holds the two to the same answers.
 */

/** `ObjectId`: 1–64 letters, digits, '-' and '_'. */
const OBJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A client's `client_id`: 1–100 printable ASCII characters, no space. */
const CLIENT_ID = /^[\x21-\x7E]{1,100}$/;

export function canBeObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

export function canBeClientId(value: string): boolean {
  return CLIENT_ID.test(value);
}
