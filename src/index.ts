/** Worker entry: the app's fetch handler and the Durable Object classes. */
import { createApp } from "./app";

export { ControlPlane } from "./control-plane/lazy-control-plane";
export { KeyVault } from "./keys/key-vault";
export { AssertionReplay } from "./oauth/assertion-replay";

/** One app per isolate: its caches are what keep the warm token path free of I/O. */
export default createApp();
