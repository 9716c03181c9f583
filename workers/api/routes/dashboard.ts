import { Hono } from "hono";
import { DASHBOARD_FILES } from "../../dashboard/files";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";

// `/dashboard/` (docs/dashboard.md): the page and its two files, served by the Worker from text
// bundled into it. Everything the page loads comes from this origin and it calls only this API,
// which the Content-Security-Policy pins down. The page is public; the data it reads is not (in
// production the metrics endpoints ask for the admin secret, and so does the page).

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  // A redeploy changes the files; the browser revalidates rather than keeping an old script.
  "Cache-Control": "no-cache",
};

export function dashboardRoutes() {
  const app = new Hono<AppEnv>();
  // The page loads its files by relative URL, so it must be addressed as a directory.
  app.get("/", (c) => {
    const url = new URL(c.req.url);
    return c.redirect(`/dashboard/${url.search}`, 308);
  });
  app.get("/:file{.*}", (c) => {
    const file = DASHBOARD_FILES.get(c.req.param("file"));
    if (!file) throw new ApiError("not_found", `no dashboard file ${c.req.path}`);
    return c.body(file.body, 200, { ...SECURITY_HEADERS, "Content-Type": file.contentType });
  });
  app.all("/*", methodNotAllowed("GET"));
  return app;
}
