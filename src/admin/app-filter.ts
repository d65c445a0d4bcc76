/**
 * `GET /api/v1/apps?filter=…`: the filters of Okta's "List all applications" that Warden's
 * directory answers, `user.id eq "<id>"` (the apps a user is assigned to, directly or through a
 * group) and `group.id eq "<id>"` (the apps a group is assigned to), in Okta's SCIM syntax (parsed
 * by src/log/filter.ts). Anything else is Okta's 400 E0000031, never a silently unfiltered list.
 */
import type { AssignedTo } from "../directory/assigned-apps";
import { ApiError } from "../errors";
import { FilterError, parseFilter } from "../log/filter";

const SUPPORTED = 'only user.id eq "<userId>" or group.id eq "<groupId>" is supported';
/** Ids the directory stores (`00u…`, `00g…`); longer values match nothing and are refused. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseAppFilter(text: string): AssignedTo {
  let node: ReturnType<typeof parseFilter>;
  try {
    node = parseFilter(text, (path) => {
      if (path !== "user.id" && path !== "group.id") throw new FilterError(`unknown attribute '${path}'`);
    });
  } catch (error) {
    if (error instanceof FilterError) throw invalid(error.message);
    throw error;
  }
  if (node.kind !== "compare" || node.op !== "eq" || (node.path !== "user.id" && node.path !== "group.id")) {
    throw invalid(SUPPORTED);
  }
  if (typeof node.value !== "string" || !ID.test(node.value)) throw invalid(`${node.path} must be an id`);
  return { kind: node.path === "user.id" ? "user" : "group", id: node.value };
}

function invalid(message: string): ApiError {
  return new ApiError("E0000031", "Invalid search criteria.", [{ errorSummary: `filter: ${message}` }]);
}
