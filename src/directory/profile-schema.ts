/**
 * What the Groups and app-assignment APIs accept as a profile, bounded (src/config/defaults.ts):
 * Okta's `okta:user_group` profile (`name` required, `description`) with custom attributes, and the
 * free-form profile of an app user or group assignment (`appuser.*` in claim expressions). A custom
 * attribute is a string, number, boolean, null or an array of those, named as a filter can name it
 * (`profile.costCenter`), so every stored attribute is searchable and no name is SQL or a JSON path.
 */
import * as z from "zod";
import {
  GROUP_DESCRIPTION_MAX_LENGTH,
  GROUP_NAME_MAX_LENGTH,
  PROFILE_ARRAY_MAX_ITEMS,
  PROFILE_MAX_ATTRIBUTES,
  PROFILE_VALUE_MAX_LENGTH,
} from "../config/defaults";

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const Scalar = z.union([z.string().max(PROFILE_VALUE_MAX_LENGTH), z.number(), z.boolean(), z.null()]);
const AttributeValue = z.union([Scalar, z.array(Scalar).max(PROFILE_ARRAY_MAX_ITEMS)]);

/** Every key a profile holds is a well-formed attribute name, and there are not too many. */
function checkNames(profile: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const names = Object.keys(profile);
  if (names.length > PROFILE_MAX_ATTRIBUTES) {
    ctx.addIssue({ code: "custom", message: `must have at most ${PROFILE_MAX_ATTRIBUTES} attributes` });
  }
  for (const name of names) {
    if (!ATTRIBUTE_NAME.test(name)) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: "an attribute name is a letter or '_', then at most 63 letters, digits or '_'",
      });
    }
  }
}

/** An app user's or group assignment's profile: custom attributes only. */
export const AssignmentProfile = z.record(z.string(), AttributeValue).superRefine(checkNames);

/** Okta's `okta:user_group` profile. */
export const GroupProfile = z
  .object({
    name: z.string().trim().min(1).max(GROUP_NAME_MAX_LENGTH),
    description: z.string().max(GROUP_DESCRIPTION_MAX_LENGTH).nullable().optional(),
  })
  .catchall(AttributeValue)
  .superRefine(checkNames);

/** `POST /groups` and `PUT /groups/{id}`: Okta reads `profile` and ignores the rest (`type`, `id`…). */
export const GroupWrite = z.object({ profile: GroupProfile });

/** `POST /apps/{appId}/users`: Okta's AppUser assign request, for an SSO app. */
export const AppUserAssign = z.object({
  id: z.string().min(1).max(64).meta({ description: "The user's id." }),
  scope: z
    .literal("USER", { error: "must be 'USER': a group's users are assigned through the group" })
    .optional(),
  profile: AssignmentProfile.optional(),
  credentials: z.object({ userName: z.string().max(PROFILE_VALUE_MAX_LENGTH).optional() }).optional(),
});

/** `POST /apps/{appId}/users/{userId}`: a new profile, or `scope: "USER"` to make a group's assignment direct. */
export const AppUserUpdate = AppUserAssign.omit({ id: true });

/** `PUT /apps/{appId}/groups/{groupId}`: both optional; absent ones keep what is stored. */
export const AppGroupAssign = z.object({
  priority: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional()
    .meta({ description: "0 first. Absent: after the app's last on create, unchanged on update." }),
  profile: AssignmentProfile.optional(),
});
