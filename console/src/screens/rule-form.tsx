/**
 * The access-policy rule form (create and edit), Okta's "Add Rule" fields: name; grant types;
 * people (everyone, or the users and groups chosen; users and groups excluded either way); scopes
 * (any, or those chosen from the server's); access-token and refresh-token lifetimes and the
 * refresh idle window; a token inline hook. A refusal keeps the form as typed with each cause beside
 * its field (paths such as `actions.token.accessTokenLifetimeMinutes`).
 */

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { GRANT_TYPES, type IncludeExclude, type RuleDraft } from "../policy-model";
import { OIDC_SCOPES } from "../scope-choices";
import type { Scope } from "../types";
import { Field, FormError } from "../ui";
import { FormActions } from "./form-actions";
import { Picker } from "./picker";
import { type Finders, nested } from "./policy-api";
import { toggled } from "./scope-checks";
import { useWrite } from "./use-write";

const PEOPLE = "conditions.people";
const FIELDS = [
  "name",
  "conditions.grantTypes.include",
  `${PEOPLE}.users.include`,
  `${PEOPLE}.users.exclude`,
  `${PEOPLE}.groups.include`,
  `${PEOPLE}.groups.exclude`,
  "conditions.scopes.include",
  "actions.token.accessTokenLifetimeMinutes",
  "actions.token.refreshTokenLifetimeMinutes",
  "actions.token.refreshTokenWindowMinutes",
  "actions.token.inlineHook.id",
];

export interface HookOption {
  id: string;
  name: string;
}

interface Props {
  idPrefix: string;
  title: string;
  initial: RuleDraft;
  submitLabel: string;
  canWrite: boolean;
  finders: Finders;
  scopes: readonly Scope[];
  hooks: readonly HookOption[];
  submit: (draft: RuleDraft) => Promise<void>;
  cancel: () => void;
}

/** A group of checkboxes or radios with its legend and the server's causes beside it. */
function Choices({
  id,
  legend,
  errors,
  children,
}: {
  id: string;
  legend: string;
  errors: readonly string[];
  children: ComponentChildren;
}) {
  const errorId = `${id}-errors`;
  return (
    <fieldset
      class={errors.length ? "choice invalid" : "choice"}
      aria-describedby={errors.length ? errorId : undefined}
    >
      <legend>{legend}</legend>
      {children}
      {errors.length ? (
        <ul class="field-errors" id={errorId}>
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}

export function RuleForm(props: Props) {
  const { idPrefix, title, initial, submitLabel, canWrite, finders, scopes, hooks, submit, cancel } = props;
  const [draft, setDraft] = useState(initial);
  const { busy, failure: refusal, run } = useWrite();
  const failure = refusal && nested(refusal);
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const setPeople = (kind: "users" | "groups", list: keyof IncludeExclude, ids: string[]) =>
    setDraft((d) => ({ ...d, [kind]: { ...d[kind], [list]: ids } }));
  const errors = (field: string) => failure?.forField(field) ?? [];
  const disabled = !canWrite || busy;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    await run(() => submit(draft));
  };

  const picker = (kind: "users" | "groups", list: keyof IncludeExclude) => {
    const verb = list === "include" ? "include" : "exclude";
    return (
      <Picker
        id={`${idPrefix}-${kind}-${list}`}
        kind={kind === "users" ? "user" : "group"}
        legend={`${verb === "include" ? "Include" : "Exclude"} ${kind}`}
        noun={kind}
        searchLabel={`Search ${kind} to ${verb}`}
        finder={finders[kind]}
        selected={draft[kind][list]}
        onChange={(ids) => setPeople(kind, list, ids)}
        disabled={disabled}
        errors={errors(`${PEOPLE}.${kind}.${list}`)}
      />
    );
  };
  // The server's scopes, the reserved OIDC ones, and any the rule names that neither lists (to be unticked).
  const scopeNames = [...new Set([...scopes.map((s) => s.name), ...OIDC_SCOPES, ...draft.scopes])];

  return (
    <form class="rule-form" aria-label={title} noValidate onSubmit={(e) => void onSubmit(e)}>
      <FormError failure={failure} fields={FIELDS} />
      <fieldset disabled={disabled}>
        <legend class="visually-hidden">{title}</legend>
        <Field id={`${idPrefix}-name`} label="Rule name" field="name" failure={failure}>
          {(p) => <input {...p} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />}
        </Field>
        <Choices
          id={`${idPrefix}-grants`}
          legend="Grant types"
          errors={errors("conditions.grantTypes.include")}
        >
          <div class="checks">
            {GRANT_TYPES.map((g) => (
              <label key={g.value}>
                <input
                  type="checkbox"
                  checked={draft.grantTypes.includes(g.value)}
                  onChange={(e) =>
                    set("grantTypes", toggled(draft.grantTypes, g.value, e.currentTarget.checked))
                  }
                />
                {g.label}
              </label>
            ))}
          </div>
        </Choices>
        <Choices id={`${idPrefix}-people`} legend="Users and groups" errors={[]}>
          <label>
            <input
              type="radio"
              name={`${idPrefix}-people`}
              checked={draft.everyone}
              onChange={() => set("everyone", true)}
            />
            Everyone
          </label>
          <label>
            <input
              type="radio"
              name={`${idPrefix}-people`}
              checked={!draft.everyone}
              onChange={() => set("everyone", false)}
            />
            These users and groups
          </label>
        </Choices>
        <div class="pickers">
          {draft.everyone ? null : picker("users", "include")}
          {draft.everyone ? null : picker("groups", "include")}
          {picker("users", "exclude")}
          {picker("groups", "exclude")}
        </div>
        <Choices id={`${idPrefix}-scopes`} legend="Scopes" errors={errors("conditions.scopes.include")}>
          <label>
            <input
              type="radio"
              name={`${idPrefix}-scopes`}
              checked={draft.anyScope}
              onChange={() => set("anyScope", true)}
            />
            Any scope
          </label>
          <label>
            <input
              type="radio"
              name={`${idPrefix}-scopes`}
              checked={!draft.anyScope}
              onChange={() => set("anyScope", false)}
            />
            These scopes
          </label>
          {draft.anyScope ? null : (
            <div class="checks">
              {scopeNames.map((name) => (
                <label key={name} class="break">
                  <input
                    type="checkbox"
                    checked={draft.scopes.includes(name)}
                    onChange={(e) => set("scopes", toggled(draft.scopes, name, e.currentTarget.checked))}
                  />
                  {name}
                </label>
              ))}
            </div>
          )}
        </Choices>
        <div class="numbers">
          <Field
            id={`${idPrefix}-access`}
            label="Access token lifetime (minutes)"
            field="actions.token.accessTokenLifetimeMinutes"
            hint="5 to 1440."
            failure={failure}
          >
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={draft.accessTokenLifetimeMinutes}
                onInput={(e) => set("accessTokenLifetimeMinutes", e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id={`${idPrefix}-refresh`}
            label="Refresh token lifetime (minutes)"
            field="actions.token.refreshTokenLifetimeMinutes"
            hint="0: unlimited, as long as it is used within the idle window."
            failure={failure}
          >
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={draft.refreshTokenLifetimeMinutes}
                onInput={(e) => set("refreshTokenLifetimeMinutes", e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id={`${idPrefix}-window`}
            label="Refresh token idle window (minutes)"
            field="actions.token.refreshTokenWindowMinutes"
            hint="Unused this long, a refresh token expires (10 minutes to 5 years)."
            failure={failure}
          >
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                value={draft.refreshTokenWindowMinutes}
                onInput={(e) => set("refreshTokenWindowMinutes", e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <Field
          id={`${idPrefix}-hook`}
          label="Token inline hook"
          field="actions.token.inlineHook.id"
          failure={failure}
        >
          {(p) => (
            <select
              {...p}
              value={draft.inlineHookId}
              onChange={(e) => set("inlineHookId", e.currentTarget.value)}
            >
              <option value="">None</option>
              {hooks.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
              {draft.inlineHookId && !hooks.some((h) => h.id === draft.inlineHookId) ? (
                <option value={draft.inlineHookId}>{draft.inlineHookId}</option>
              ) : null}
            </select>
          )}
        </Field>
        <FormActions submitLabel={submitLabel} cancel={cancel} />
      </fieldset>
    </form>
  );
}
