/**
 * The named schemas of the OpenAPI document (`components.schemas`): request bodies, rendered as
 * zod's input types (defaults make a field optional), and response bodies, rendered as its output
 * types (defaults make it always present). Names follow Okta's models where Okta has one.
 */
import { ImportDocument } from "../../config/schemas";
import { AppGroupAssign, AppUserAssign, AppUserUpdate, GroupWrite } from "../../directory/profile-schema";
import { AdminRoleAssign } from "../user-roles";
import * as requests from "./requests";
import * as views from "./views";

export const requestSchemas = {
  CreateAuthorizationServerRequest: requests.AuthorizationServerCreate,
  ReplaceAuthorizationServerRequest: requests.AuthorizationServerReplace,
  OAuth2ScopeRequest: requests.ScopeWrite,
  OAuth2ClaimRequest: requests.ClaimWrite,
  AuthorizationServerPolicyRequest: requests.PolicyWrite,
  AuthorizationServerPolicyRuleRequest: requests.RuleWrite,
  KeyRotateRequest: requests.KeyRotate,
  TokenPreviewRequest: requests.TokenPreviewRequest,
  OpenIdConnectApplicationRequest: requests.AppWrite,
  CreateInlineHookRequest: requests.InlineHookCreate,
  ReplaceInlineHookRequest: requests.InlineHookReplace,
  CreateApiTokenRequest: requests.ApiTokenCreate,
  ImportDocument,
  CreateUserRequest: requests.UserCreate,
  ReplaceUserRequest: requests.UserReplace,
  UpdateUserRequest: requests.UserUpdate,

  GroupRequest: GroupWrite,
  AppUserAssignRequest: AppUserAssign,
  AppUserUpdateRequest: AppUserUpdate,
  ApplicationGroupAssignmentRequest: AppGroupAssign,

  AuthnRequest: requests.AuthnRequest,
  TrustedOriginRequest: requests.TrustedOriginWrite,
  AssignRoleRequest: AdminRoleAssign,
};

export const responseSchemas = {
  Error: views.OktaError,
  Link: views.Link,
  AuthorizationServer: views.AuthorizationServerView,
  OAuth2Scope: views.ScopeView,
  OAuth2Claim: views.ClaimView,
  AuthorizationServerPolicy: views.PolicyView,
  AuthorizationServerPolicyRule: views.RuleView,
  AuthorizationServerJsonWebKey: views.KeyView,
  TokenPreview: views.TokenPreviewView,
  OpenIdConnectApplication: views.AppView,
  OAuth2ClientSecret: views.ClientSecretView,
  EmptyObject: views.EmptyObject,
  InlineHook: views.InlineHookView,
  ApiToken: views.ApiTokenView,
  ImportSummary: views.ImportSummaryView,
  ExportDocument: views.ExportDocumentView,
  LogEvent: views.LogEventView,
  User: views.UserView,

  Group: views.GroupView,
  AppUser: views.AppUserView,
  ApplicationGroupAssignment: views.AppGroupView,

  AuthnTransaction: views.AuthnTransactionView,
  Session: views.SessionView,
  TrustedOrigin: views.TrustedOriginView,
  OAuth2ScopeConsentGrant: views.ConsentGrantView,
  RoleAssignment: views.RoleAssignmentView,
};

export type RequestSchemaName = keyof typeof requestSchemas;
export type ResponseSchemaName = keyof typeof responseSchemas;
