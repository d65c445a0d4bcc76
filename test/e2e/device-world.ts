/**
 * A device-flow world on a running Warden, set up through Okta's own management SDK as an Okta
 * customer would: a custom server with a scope, a native public app with only the device grant, a
 * user assigned to it, and a rule that gives the device grant to everyone. Shared by the e2e test
 * (openid-client) and the browser test (Chromium on /activate). `cleanup` undoes it.
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const DEVICE_SCOPE = "tv:watch";

export interface DeviceWorld {
  issuer: string;
  clientId: string;
  appName: string;
  login: string;
  password: string;
  cleanup(): Promise<void>;
}

export async function createDeviceWorld(baseUrl: string, adminToken: string): Promise<DeviceWorld> {
  const suffix = randomUUID().slice(0, 8);
  const sdk = new okta.Client({ orgUrl: baseUrl, token: adminToken });
  const undo: (() => Promise<unknown>)[] = [];
  const servers = sdk.authorizationServerApi;
  const server = await servers.createAuthorizationServer({
    authorizationServer: { name: `device-${suffix}`, audiences: [`api://device-${suffix}`] },
  });
  const authServerId = server.id as string;
  undo.push(async () => {
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
  });
  await servers.createOAuth2Scope({
    authServerId,
    oAuth2Scope: { name: DEVICE_SCOPE, displayName: "Watch your shows", description: "Stream on this TV." },
  });

  const appName = `Living-room TV ${suffix}`;
  const app = (await sdk.applicationApi.createApplication({
    application: {
      name: "oidc_client",
      label: appName,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "none" } },
      settings: { oauthClient: { grant_types: [DEVICE_GRANT], application_type: "native" } },
    } as never,
  })) as unknown as { id: string; credentials: { oauthClient: { client_id: string } } };
  undo.push(async () => {
    await sdk.applicationApi.deactivateApplication({ appId: app.id });
    await sdk.applicationApi.deleteApplication({ appId: app.id });
  });
  const clientId = app.credentials.oauthClient.client_id;

  const login = `tess-${suffix}@example.test`;
  const password = "Correct-Horse-Device-7";
  const user = await sdk.userApi.createUser({
    activate: true,
    body: {
      profile: { login, email: login, firstName: "Tess", lastName: "Device" },
      credentials: { password: { value: password } },
    },
  });
  const userId = user.id as string;
  undo.push(async () => {
    await sdk.userApi.deleteUser({ userId });
    await sdk.userApi.deleteUser({ userId });
  });
  await sdk.applicationApi.assignUserToApplication({ appId: app.id, appUser: { id: userId } as never });

  const policy = await servers.createAuthorizationServerPolicy({
    authServerId,
    policy: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "devices",
      priority: 1,
      conditions: { clients: { include: [clientId] } },
    } as never,
  });
  const policyId = policy.id as string;
  const rule = await servers.createAuthorizationServerPolicyRule({
    authServerId,
    policyId,
    policyRule: {
      name: "everyone on a device",
      type: "RESOURCE_ACCESS",
      conditions: {
        people: { groups: { include: ["EVERYONE"] } },
        grantTypes: { include: [DEVICE_GRANT] },
        scopes: { include: ["openid", "profile", DEVICE_SCOPE] },
      },
      actions: { token: { accessTokenLifetimeMinutes: 15 } },
    } as never,
  });
  undo.push(async () => {
    await servers.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id as string });
    await servers.deleteAuthorizationServerPolicy({ authServerId, policyId });
  });

  return {
    issuer: `${baseUrl}/oauth2/${authServerId}`,
    clientId,
    appName,
    login,
    password,
    async cleanup() {
      for (const step of undo.reverse()) await step().catch(() => undefined);
    },
  };
}
