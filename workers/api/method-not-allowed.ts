import type { Handler } from "hono";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

/** Registered with `app.all(path, …)` after a path's real handlers: 405 with the Allow header. */
export function methodNotAllowed(...allowed: string[]): Handler<AppEnv> {
  const allow = allowed.includes("GET") && !allowed.includes("HEAD") ? [...allowed, "HEAD"] : allowed;
  return (c) => {
    throw new ApiError("method_not_allowed", `method ${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}`, [], {
      Allow: allow.join(", "),
    });
  };
}
