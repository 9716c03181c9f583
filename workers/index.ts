import { createApp } from "./api/app";

// The one Worker script. Later capabilities add `queue` (async jobs) and `scheduled` (cache
// warming, alerting) handlers and export their Durable Object classes from here.
const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
