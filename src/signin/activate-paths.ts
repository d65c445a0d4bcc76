/**
 * The device activation page's paths (RFC 8628 §3.3), apart from its code (src/signin/activate.ts):
 * the router registers them at start-up, and the page's module loads on its first request.
 */
export const ACTIVATE_PATH = "/activate";
export const ACTIVATE_SIGN_IN_PATH = "/activate/signin";
export const ACTIVATE_DECISION_PATH = "/activate/decision";
