/**
 * Starts the inline hook service (test/hook-server/server.ts) once for the worker tier and hands its
 * port to the tests, which run inside workerd and reach it over real HTTP on 127.0.0.1.
 */
import type { TestProject } from "vitest/node";
import { startHookServer } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    hookServer: { port: number };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startHookServer();
  project.provide("hookServer", { port: server.port });
  return () => server.close();
}
