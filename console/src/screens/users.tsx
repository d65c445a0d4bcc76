/**
 * Users (`#/users`): search the directory (Okta's `search`, paged with `Link: rel="next"`), and add
 * a user (profile, activate now or not, an initial password the console never shows again). One
 * user's screen (`#/users/<id>`) is user-detail.tsx. Nothing is listed until the server has it.
 */

import { useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../auth";
import { hashOf } from "../parse";
import { personName, USER_STATUSES, type UserSearch, usersPath } from "../people";
import type { User } from "../types";
import { Field, FormError } from "../ui";
import { ListState } from "./list-state";
import { usePages } from "./use-pages";
import { useWrite } from "./use-write";

export { UserDetail } from "./user-detail";

const NEW_USER_FIELDS = ["firstName", "lastName", "login", "email", "password"];

interface NewUser {
  firstName: string;
  lastName: string;
  login: string;
  email: string;
  password: string;
  activate: boolean;
}

const EMPTY_USER: NewUser = {
  firstName: "",
  lastName: "",
  login: "",
  email: "",
  password: "",
  activate: true,
};

function NewUserForm({
  session,
  canWrite,
  created,
}: {
  session: Session;
  canWrite: boolean;
  created: (user: User) => void;
}) {
  const [draft, setDraft] = useState(EMPTY_USER);
  const write = useWrite();
  const set = <K extends keyof NewUser>(key: K, value: NewUser[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    const { password, activate, ...profile } = draft;
    let user: User | undefined;
    // No password: Okta makes the user PROVISIONED on activation (they set their own later).
    const body = { profile, ...(password ? { credentials: { password: { value: password } } } : {}) };
    // The list above says what was created (with a link to it).
    const accepted = await write.run(async () => {
      user = await api<User>(session, "POST", `/users?activate=${activate}`, body);
    }, "");
    // The password is never kept once the server has it (nor shown back).
    setDraft((d) => ({ ...d, password: "" }));
    if (accepted && user) {
      setDraft(EMPTY_USER);
      created(user);
    }
  };

  const text = (key: "firstName" | "lastName" | "login" | "email", label: string, hint?: string) => (
    <Field
      id={`new-user-${key}`}
      label={label}
      field={key}
      failure={write.failure}
      {...(hint ? { hint } : {})}
    >
      {(p) => (
        <input
          {...p}
          value={draft[key]}
          autocomplete="off"
          onInput={(e) => set(key, e.currentTarget.value)}
        />
      )}
    </Field>
  );

  return (
    <section aria-labelledby="new-user-title" class="panel">
      <h2 id="new-user-title">Add a user</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormError failure={write.failure} fields={NEW_USER_FIELDS} />
        <fieldset disabled={!canWrite || write.busy}>
          <legend class="visually-hidden">Add a user</legend>
          {text("firstName", "First name")}
          {text("lastName", "Last name")}
          {text("login", "Username", "An email address; the user signs in with it.")}
          {text("email", "Primary email")}
          <Field
            id="new-user-password"
            label="Initial password"
            field="password"
            failure={write.failure}
            hint="Optional. Never shown again; without one, the user sets their own."
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autocomplete="new-password"
                value={draft.password}
                onInput={(e) => set("password", e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="check">
            <input
              id="new-user-activate"
              type="checkbox"
              checked={draft.activate}
              onChange={(e) => set("activate", e.currentTarget.checked)}
            />
            <label for="new-user-activate">Activate now</label>
          </div>
          <div class="actions">
            <button type="submit" class="primary">
              Create user
            </button>
          </div>
        </fieldset>
      </form>
    </section>
  );
}

export function UsersList({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const [typed, setTyped] = useState<UserSearch>({ text: "", status: "" });
  const [search, setSearch] = useState<UserSearch>(typed);
  const path = usersPath(search);
  const { items: users, next, failure, busy, reload, more } = usePages<User>(session, path);
  const [created, setCreated] = useState<User | undefined>(undefined);

  return (
    <section aria-labelledby="page-title" class="people">
      <h1 id="page-title" tabIndex={-1}>
        Users
      </h1>
      <form
        aria-label="Users"
        class="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch({ ...typed });
        }}
      >
        <div class="field">
          <label for="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            value={typed.text}
            aria-describedby="user-search-hint"
            onInput={(e) => setTyped((t) => ({ ...t, text: e.currentTarget.value }))}
          />
          <p class="hint" id="user-search-hint">
            The beginning of a username, email, first or last name.
          </p>
        </div>
        <div class="field">
          <label for="user-status">Status</label>
          <select
            id="user-status"
            value={typed.status}
            onChange={(e) => setTyped((t) => ({ ...t, status: e.currentTarget.value }))}
          >
            <option value="">Any status</option>
            {USER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      {created ? (
        <p class="saved" role="status">
          User <a href={hashOf({ screen: "user", id: created.id })}>{created.profile.login}</a> created.
        </p>
      ) : null}
      <ListState items={users} failure={failure} empty="No users match." />
      {users?.length ? (
        <table class="list">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Username</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td data-label="Name">
                  <a href={hashOf({ screen: "user", id: u.id })}>{personName(u.profile)}</a>
                </td>
                <td data-label="Username" class="break">
                  {u.profile.login}
                </td>
                <td data-label="Email" class="break">
                  {u.profile.email}
                </td>
                <td data-label="Status">
                  <span class={`status ${u.status.toLowerCase()}`}>{u.status}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next ? (
        <button type="button" class="more" disabled={busy} onClick={() => void more()}>
          More users
        </button>
      ) : null}
      <NewUserForm
        session={session}
        canWrite={canWrite}
        created={(user) => {
          setCreated(user);
          void reload();
        }}
      />
    </section>
  );
}
