/**
 * The scopes to check, one checkbox each, labelled by the scope's name (a claim's "Include in
 * scopes", a preview's requested scopes): the caller's fieldset gives the group its name and hint.
 */
export function ScopeChecks({
  names,
  chosen,
  toggle,
}: {
  names: readonly string[];
  chosen: readonly string[];
  toggle: (name: string, on: boolean) => void;
}) {
  return (
    <ul class="checks">
      {names.map((name) => (
        <li key={name}>
          <label>
            <input
              type="checkbox"
              checked={chosen.includes(name)}
              onChange={(e) => toggle(name, e.currentTarget.checked)}
            />{" "}
            <span class="break">{name}</span>
          </label>
        </li>
      ))}
    </ul>
  );
}

/** `list` with `value` checked (appended once) or unchecked (removed): a checkbox list's update. */
export const toggled = (list: readonly string[], value: string, on: boolean): string[] =>
  on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
