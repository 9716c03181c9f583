import type { MiddlewareHandler } from "hono";
import { extractApiKey, timingSafeEqual } from "../../auth/api-key";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";

/** Guards the admin API with the ADMIN_SECRET secret (Bearer or X-Admin-Secret). */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminMiddleware(c, next) {
    const secret = c.get("config").adminSecret;
    if (!secret) {
      throw new ApiError("forbidden", "the admin API is disabled: set the ADMIN_SECRET secret to enable it");
    }
    const presented = c.req.header("x-admin-secret") ?? extractApiKey(c.req.raw.headers);
    if (!presented) {
      throw new ApiError("unauthorized", "the admin secret is required: send `Authorization: Bearer <ADMIN_SECRET>`", [], {
        "WWW-Authenticate": 'Bearer realm="edgebox-admin"',
      });
    }
    if (!timingSafeEqual(presented, secret)) {
      throw new ApiError("forbidden", "the admin secret is not valid");
    }
    return next();
  };
}
