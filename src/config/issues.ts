/**
 * What a write refuses, in one shape for every store and pure check of the control plane: the
 * admin routes turn each issue into one of Okta's error causes (`admin/responses.ts`).
 */
import type * as z from "zod";

export interface ValidationIssue {
  /** Dotted path of the offending field; empty for the body as a whole. */
  path: string;
  message: string;
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}
