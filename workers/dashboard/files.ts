// The live dashboard's files (public/dashboard/, docs/dashboard.md), bundled into the Worker as
// text: `.html` by wrangler's default module rules, `.css` and `.js` by the Text rule in
// wrangler.toml (the same rules apply under the vitest pool).
import dashboardCss from "../../public/dashboard/dashboard.css";
import dashboardJs from "../../public/dashboard/dashboard.js";
import indexHtml from "../../public/dashboard/index.html";

export interface DashboardFile {
  body: string;
  contentType: string;
}

/** By name under /dashboard/ ("" is the page itself). */
export const DASHBOARD_FILES: ReadonlyMap<string, DashboardFile> = new Map([
  ["", { body: indexHtml, contentType: "text/html; charset=utf-8" }],
  ["index.html", { body: indexHtml, contentType: "text/html; charset=utf-8" }],
  ["dashboard.css", { body: dashboardCss, contentType: "text/css; charset=utf-8" }],
  ["dashboard.js", { body: dashboardJs, contentType: "text/javascript; charset=utf-8" }],
]);
