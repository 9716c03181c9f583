import { runSmoke } from "./sandbox/smoke";
export default {
  async fetch(req: Request, env: Env) {
    return new Response(await runSmoke("1+1"));
  },
} satisfies ExportedHandler<Env>;
