import { Toucan } from "toucan-js";

export interface ErrorReportContext {
  dsn: string | null;
  request: Request;
  waitUntil: ((promise: Promise<unknown>) => void) | null;
  requestId: string;
  tenant: string | null;
  route: string;
}

/**
 * Sends an unhandled error to Sentry when SENTRY_DSN is set, and does nothing otherwise. Only
 * allow-listed request metadata leaves the service: never the body (program source, stdin),
 * cookies, query strings, client IPs or credentials.
 */
export function reportError(error: unknown, context: ErrorReportContext): void {
  if (!context.dsn) return;
  const sentry = new Toucan({
    dsn: context.dsn,
    request: context.request,
    context: context.waitUntil ? { waitUntil: context.waitUntil } : undefined,
    requestDataOptions: {
      allowedHeaders: ["user-agent", "content-type", "content-length", "cf-ray"],
      allowedCookies: false,
      allowedSearchParams: false,
      allowedIps: false,
    },
  });
  sentry.setTag("request_id", context.requestId);
  sentry.setTag("route", context.route);
  if (context.tenant) sentry.setTag("tenant", context.tenant);
  sentry.captureException(error);
}
