/**
 * One user (`#/users/<id>`): the profile (Okta's partial update, POST /users/{id}), the lifecycle
 * operations the user's `_links` allow, delete in Okta's two steps (deactivate, then delete, each
 * confirmed), the user's groups (add and remove: the Groups API, so they need okta.groups.manage)
 * and admin roles (read-only: assigning one needs every right it gives, more than the console's token
 * holds; roles are assigned with the API). Every change is shown only once the server has answered
 * it, by asking for the user again.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import { manageScope } from "../config";
import { hashOf } from "../parse";
import { canDelete, LIFECYCLE_LABELS, type Lifecycle, lifecycleOf, personName } from "../people";
import type { AdminRole, Group, User } from "../types";
import { Field, FormError, Notice } from "../ui";
import { AssignedApps } from "./assigned-apps";
import { Confirm, KeepButton } from "./confirm";
import { useLoad } from "./use-load";
import { useWrite } from "./use-write";

const PROFILE_FIELDS = ["firstName", "lastName", "login", "email", "profile"];
type ProfileDraft = Pick<User["profile"], "firstName" | "lastName" | "login" | "email">;
const draftOf = (user: User): ProfileDraft => ({
  firstName: user.profile.firstName ?? "",
  lastName: user.profile.lastName ?? "",
  login: user.profile.login,
  email: user.profile.email ?? "",
});

const LIFECYCLE_DONE: Record<Lifecycle, string> = {
  activate: "activated",
  unlock: "unlocked",
  unsuspend: "unsuspended",
  suspend: "suspended",
  deactivate: "deactivated",
};

/** Operations that end the user's sessions and tokens: asked to confirm first. */
const CONFIRMED: ReadonlySet<Lifecycle> = new Set(["deactivate", "suspend"]);

function ProfileForm({
  session,
  user,
  canWrite,
  saved,
}: {
  session: Session;
  user: User;
  canWrite: boolean;
  saved: (u: User) => void;
}) {
  const [draft, setDraft] = useState(draftOf(user));
  const write = useWrite();
  // A new answer from the server resets the form to it.
  useEffect(() => setDraft(draftOf(user)), [user]);
  const set = (key: keyof ProfileDraft, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = (event: Event) => {
    event.preventDefault();
    void write.run(async () => {
      saved(await api<User>(session, "POST", `/users/${encodeURIComponent(user.id)}`, { profile: draft }));
    }, "Profile saved.");
  };

  const text = (key: keyof ProfileDraft, label: string) => (
    <Field id={`user-${key}`} label={label} field={key} failure={write.failure}>
      {(p) => <input {...p} value={draft[key]} onInput={(e) => set(key, e.currentTarget.value)} />}
    </Field>
  );
  return (
    <section aria-labelledby="profile-title" class="panel">
      <h2 id="profile-title">Profile</h2>
      <form onSubmit={submit} noValidate>
        <FormError failure={write.failure} fields={PROFILE_FIELDS} />
        <fieldset disabled={!canWrite || write.busy}>
          <legend class="visually-hidden">Profile</legend>
          {text("firstName", "First name")}
          {text("lastName", "Last name")}
          {text("login", "Username")}
          {text("email", "Primary email")}
          <div class="actions">
            <button type="submit" class="primary">
              Save profile
            </button>
            <span class="saved" role="status">
              {write.status}
            </span>
          </div>
        </fieldset>
      </form>
    </section>
  );
}

function LifecyclePanel({
  session,
  user,
  canWrite,
  reload,
}: {
  session: Session;
  user: User;
  canWrite: boolean;
  reload: () => Promise<void>;
}) {
  const write = useWrite();
  const [confirming, setConfirming] = useState<Lifecycle | "delete" | undefined>(undefined);
  const path = `/users/${encodeURIComponent(user.id)}`;
  const name = personName(user.profile);

  const act = async (action: Lifecycle) => {
    setConfirming(undefined);
    await write.run(
      () => api(session, "POST", `${path}/lifecycle/${action}`),
      `${user.profile.login} ${LIFECYCLE_DONE[action]}.`,
    );
    await reload();
  };
  const remove = async () => {
    setConfirming(undefined);
    const deleted = await write.run(() => api(session, "DELETE", path), "");
    if (deleted) location.hash = hashOf({ screen: "users" });
    else await reload();
  };

  const actions = lifecycleOf(user);
  return (
    <section aria-labelledby="lifecycle-title" class="panel">
      <h2 id="lifecycle-title">Status</h2>
      <p>
        Status: <span class={`status ${user.status.toLowerCase()}`}>{user.status}</span>
      </p>
      <FormError failure={write.failure} fields={[]} />
      {confirming ? (
        <Confirm
          confirmLabel={
            confirming === "delete"
              ? `Delete ${user.profile.login}`
              : `${LIFECYCLE_LABELS[confirming]} ${user.profile.login}`
          }
          keepLabel="Cancel"
          disabled={!canWrite || write.busy}
          confirm={() => void (confirming === "delete" ? remove() : act(confirming))}
          keep={() => setConfirming(undefined)}
        >
          {confirming === "delete"
            ? `Delete ${name} for good? This cannot be undone.`
            : `${LIFECYCLE_LABELS[confirming]} ${name}? Their sessions and tokens end now.`}
        </Confirm>
      ) : (
        <div class="actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              disabled={!canWrite || write.busy}
              onClick={() => (CONFIRMED.has(action) ? setConfirming(action) : void act(action))}
            >
              {LIFECYCLE_LABELS[action]}
            </button>
          ))}
          {canDelete(user) ? (
            <button
              type="button"
              class="danger"
              disabled={!canWrite || write.busy}
              onClick={() => setConfirming("delete")}
            >
              Delete user
            </button>
          ) : null}
        </div>
      )}
      {canDelete(user) ? null : (
        <p class="hint">A user is deleted in two steps, as in Okta: deactivate, then delete.</p>
      )}
      <p class="saved" role="status">
        {write.status}
      </p>
    </section>
  );
}

function UserGroups({ session, user, canWrite }: { session: Session; user: User; canWrite: boolean }) {
  const path = `/users/${encodeURIComponent(user.id)}/groups`;
  const {
    value: groups,
    failure,
    reload,
  } = useLoad(() => api<Group[]>(session, "GET", path), [session, path]);
  // The groups to choose from: the first page of the directory's groups (Okta's default 200).
  const { value: all } = useLoad(() => api<Group[]>(session, "GET", "/groups?limit=200"), [session]);
  const [chosen, setChosen] = useState("");
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const write = useWrite();
  const member = new Set((groups ?? []).map((g) => g.id));
  const choices = (all ?? []).filter((g) => g.type !== "BUILT_IN" && !member.has(g.id));
  const membership = (group: Group) =>
    `/groups/${encodeURIComponent(group.id)}/users/${encodeURIComponent(user.id)}`;

  const add = async (event: Event) => {
    event.preventDefault();
    const group = choices.find((g) => g.id === chosen);
    if (!group) return;
    if (await write.run(() => api(session, "PUT", membership(group)), `Added to ${group.profile.name}.`))
      setChosen("");
    await reload();
  };
  const remove = async (group: Group) => {
    setConfirming(undefined);
    await write.run(() => api(session, "DELETE", membership(group)), `Removed from ${group.profile.name}.`);
    await reload();
  };

  return (
    <section aria-labelledby="user-groups-title" class="panel">
      <h2 id="user-groups-title">Groups</h2>
      <FormError failure={failure ?? write.failure} fields={[]} />
      {groups === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {groups?.length ? (
        <ul class="rows">
          {groups.map((group) => (
            <li key={group.id}>
              <a href={hashOf({ screen: "group", id: group.id })}>{group.profile.name}</a>
              {group.type === "BUILT_IN" ? <span class="tag">built in</span> : null}
              {confirming === group.id ? (
                <span class="confirm">
                  <button
                    type="button"
                    class="danger"
                    disabled={!canWrite || write.busy}
                    onClick={() => void remove(group)}
                  >
                    Remove from {group.profile.name}
                  </button>
                  <KeepButton label="Keep" onClick={() => setConfirming(undefined)} />
                </span>
              ) : group.type === "BUILT_IN" ? null : (
                <button
                  type="button"
                  disabled={!canWrite || write.busy}
                  aria-label={`Remove ${user.profile.login} from ${group.profile.name}`}
                  onClick={() => setConfirming(group.id)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={(e) => void add(e)} class="inline-form">
        <fieldset disabled={!canWrite || write.busy}>
          <legend class="visually-hidden">Add to a group</legend>
          <div class="field">
            <label for="user-add-group">Group to add</label>
            <select id="user-add-group" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
              <option value="">Choose a group</option>
              {choices.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.profile.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={!chosen}>
            Add to group
          </button>
        </fieldset>
      </form>
      <p class="saved" role="status">
        {write.status}
      </p>
    </section>
  );
}

function AdminRoles({ session, user }: { session: Session; user: User }) {
  // Okta guards the Role Assignment API with its own scopes; a token without okta.roles.read (an
  // older grant of the console's client) does not ask (a refused request would be all it could show).
  const readable = session.scopes.has("okta.roles.read") || session.scopes.has("okta.roles.manage");
  const path = `/users/${encodeURIComponent(user.id)}/roles`;
  const { value: roles, failure } = useLoad(
    () => (readable ? api<AdminRole[]>(session, "GET", path) : Promise.resolve(undefined)),
    [session, path, readable],
  );
  return (
    <section aria-labelledby="user-roles-title" class="panel">
      <h2 id="user-roles-title">Admin roles</h2>
      {readable ? null : (
        <Notice>
          Admin roles are not shown: they need okta.roles.read, which this console's client is not granted.
        </Notice>
      )}
      <FormError failure={failure} fields={[]} />
      {roles?.length === 0 ? <Notice>No admin roles.</Notice> : null}
      {roles?.length ? (
        <ul class="rows">
          {roles.map((r) => (
            <li key={r.id}>
              {r.label} <span class="tag">{r.type}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function UserDetail({ session, id, canWrite }: { session: Session; id: string; canWrite: boolean }) {
  const path = `/users/${encodeURIComponent(id)}`;
  const {
    value: user,
    failure,
    reload,
    set,
  } = useLoad(() => api<User>(session, "GET", path), [session, path]);
  const canWriteGroups = session.scopes.has(manageScope("groups"));
  return (
    <section aria-labelledby="page-title" class="people">
      <p class="crumbs">
        <a href={hashOf({ screen: "users" })}>Users</a>
      </p>
      <h1 id="page-title" tabIndex={-1} class="break">
        {user ? personName(user.profile) : "User"}
      </h1>
      <FormError failure={failure} fields={[]} />
      {user === undefined && !failure ? <Notice>Loading…</Notice> : null}
      {user ? (
        <>
          <dl class="facts">
            <dt>Username</dt>
            <dd class="break">{user.profile.login}</dd>
            <dt>Id</dt>
            <dd class="break code">{user.id}</dd>
            <dt>Created</dt>
            <dd>{user.created}</dd>
            <dt>Last sign-in</dt>
            <dd>{user.lastLogin ?? "never"}</dd>
          </dl>
          <div class="columns">
            <div class="stack">
              <LifecyclePanel session={session} user={user} canWrite={canWrite} reload={reload} />
              <UserGroups session={session} user={user} canWrite={canWriteGroups} />
              <AssignedApps session={session} to={{ kind: "user", id: user.id }} />
              <AdminRoles session={session} user={user} />
            </div>
            <ProfileForm session={session} user={user} canWrite={canWrite} saved={set} />
          </div>
        </>
      ) : null}
    </section>
  );
}
