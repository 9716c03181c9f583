// A webhook receiver for callback tests: records every request it gets and answers with a status
// the test chooses, so delivery, signing and retries are observable over real HTTP. Driven over
// HTTP from inside workerd:
//   POST /__receiver/control {status?: number, failNext?: number}   answer `status` (default 200);
//                                                                   with failNext, only the next n
//   GET  /__receiver/requests  → [{method, path, headers, body, at}] everything received so far
// Importable from workerd and plain Node (no value imports, no Node APIs).

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface CallbackReceiver {
  handle(request: Request): Promise<Response>;
}

export function createCallbackReceiver(): CallbackReceiver {
  const received: ReceivedRequest[] = [];
  let failureStatus = 200;
  let failNext: number | null = null;
  return {
    async handle(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname === "/__receiver/control") {
        const control = (await request.json()) as { status?: number; failNext?: number };
        failureStatus = control.status ?? 200;
        failNext = control.failNext ?? null;
        return Response.json({ ok: true });
      }
      if (url.pathname === "/__receiver/requests") return Response.json(received);
      received.push({
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
        at: Date.now(),
      });
      let status = failureStatus;
      if (failNext !== null) {
        status = failNext > 0 ? failureStatus : 200;
        failNext = Math.max(0, failNext - 1);
      }
      return new Response(status < 300 ? "ok" : "nope", { status });
    },
  };
}
