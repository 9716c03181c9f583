import type { ServiceConfig } from "../config";
import type { Logger } from "../observability/logger";
import type { TraceContext } from "../observability/trace-context";

/** The tenant a request acts for, set by the authenticate middleware. */
export interface RequestTenant {
  id: string;
  /** How it was established: an API key, or the anonymous dev tenant (never in production). */
  via: "api_key" | "anonymous";
  keyId: string | null;
}

/** Hono environment shared by every sub-app: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: ServiceConfig;
    requestId: string;
    trace: TraceContext;
    logger: Logger;
    tenant: RequestTenant;
  };
}
