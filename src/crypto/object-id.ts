/**
 * Okta-style object ids (`aus` servers, `scp` scopes, `00p` policies, `0pr` rules, `0oa` apps, `00u`
 * users, `00g` groups): pure randomness, so an id says nothing about when or where it was made.
 */
const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A 3-letter prefix and 17 letters or digits: about 100 random bits, rejection-sampled, unbiased. */
export function newObjectId(prefix: string): string {
  let id = prefix;
  while (id.length < 20) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 248 && id.length < 20) id += ID_ALPHABET[byte % 62];
    }
  }
  return id;
}
