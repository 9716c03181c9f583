import { Hono } from "hono";
import { listRuntimes } from "../../execution/runtime-catalog";
import { topologyFor } from "../../pools/topology-cache";
import { remoteRuntimes } from "../../routing/route-plan";
import type { AppEnv } from "../app-env";
import { methodNotAllowed } from "../method-not-allowed";

/** Native runtime listing: `GET /v1/runtimes`. */
export function runtimeRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) =>
    c.json({
      runtimes: listRuntimes(remoteRuntimes((await topologyFor(c.env, Date.now())).backends)).map(({ language, version, aliases, runtime }) => ({
        language,
        version,
        aliases,
        engine: runtime,
      })),
    }),
  );
  app.all("/", methodNotAllowed("GET"));
  return app;
}
