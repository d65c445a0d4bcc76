import { useState } from "preact/hooks";
import { ApiFailure } from "../api";

/**
 * One form's or one action's write: busy while the server works, then either what it accepted
 * (`status`, for a role=status line) or why it refused (`failure`, for Field / FormError). A new
 * attempt clears both first, so neither ever speaks for an older write.
 */
export function useWrite() {
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");

  /** Runs `action`; true when the server accepted it (`done` is then the status line). */
  async function run(action: () => Promise<unknown>, done = ""): Promise<boolean> {
    setBusy(true);
    setStatus("");
    setFailure(undefined);
    try {
      await action();
      setStatus(done);
      return true;
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      setFailure(error);
      return false;
    } finally {
      setBusy(false);
    }
  }

  const clear = () => {
    setFailure(undefined);
    setStatus("");
  };

  return { failure, busy, status, run, clear };
}
