/**
 * The admin console (README "Admin console"): a Preact app served as static assets at /admin.
 * Routes are hash routes (`#/servers`, `#/servers/<id>`), so every screen is the one index.html and
 * the Worker never sees a console path; /admin/callback and /admin/signed-out are copies of it.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { whenUnauthorized } from "./api";
import { completeSignIn, type Session, SignInError, signOut, startSignIn } from "./auth";
import { SERVERS_MANAGE } from "./config";
import { type Route, routeOf, safeReturn } from "./parse";
import { ServerDetail } from "./screens/server-detail";
import { ServersList } from "./screens/servers-list";
import { ReadOnlyBanner } from "./ui";

function useHashRoute(): Route {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const changed = () => {
      setRoute(routeOf(location.hash));
      // Keyboard and screen-reader users land on the new screen's heading.
      requestAnimationFrame(() => document.getElementById("page-title")?.focus());
    };
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

function Console({ session }: { session: Session }) {
  const route = useHashRoute();
  const canWrite = session.scopes.has(SERVERS_MANAGE);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/servers">
          Warden Admin
        </a>
        <nav aria-label="Main">
          <a href="#/servers" aria-current={route.screen !== "servers" ? undefined : "page"}>
            Authorization servers
          </a>
        </nav>
        <div class="who">
          <span class="break">{session.login}</span>
          <button type="button" onClick={() => signOut(session)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <ReadOnlyBanner canWrite={canWrite} />
        {route.screen === "server" ? (
          <ServerDetail key={route.id} session={session} serverId={route.id} canWrite={canWrite} />
        ) : (
          <ServersList session={session} />
        )}
      </main>
    </>
  );
}

function Message({ title, text, action }: { title: string; text: string; action: string }) {
  return (
    <main id="main" class="message">
      <h1>{title}</h1>
      <p>{text}</p>
      <button type="button" class="primary" onClick={() => void startSignIn("#/servers")}>
        {action}
      </button>
    </main>
  );
}

type State =
  | { kind: "loading" }
  | { kind: "in"; session: Session }
  | { kind: "out" }
  | { kind: "error"; message: string };

function App() {
  const [state, setState] = useState<State>({ kind: "loading" });
  useEffect(() => {
    const path = location.pathname.replace(/\/+$/, "");
    if (path === "/admin/signed-out") {
      setState({ kind: "out" });
      return;
    }
    if (path !== "/admin/callback") {
      void startSignIn(safeReturn(location.hash));
      return;
    }
    completeSignIn().then(
      (session) => {
        // A refused token (expired, role removed): sign in again, back to the same screen.
        whenUnauthorized(() => void startSignIn(safeReturn(location.hash)));
        setState({ kind: "in", session });
      },
      (error: unknown) =>
        setState({ kind: "error", message: error instanceof SignInError ? error.message : String(error) }),
    );
  }, []);
  switch (state.kind) {
    case "loading":
      return <p class="notice">Signing in…</p>;
    case "in":
      return <Console session={state.session} />;
    case "out":
      return <Message title="Signed out" text="You have signed out of Warden." action="Sign in again" />;
    case "error":
      return <Message title="Sign-in failed" text={state.message} action="Try again" />;
  }
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
