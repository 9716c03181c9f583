// `request.cf` (the colo, the client's country and coordinates, …) read once per request.
//
// Reading it is not free: workerd deserializes it on access, and a CPU profile under `wrangler dev`
// put one read at ~0.17 ms of Worker CPU per request (two reads cost twice one: nothing is kept
// between them). Routing and metrics both need it, so they share one read.

export type RequestCf = Record<string, unknown>;

const cfByRequest = new WeakMap<Request, RequestCf | null>();

/** The request's `cf` object (null when there is none, e.g. a request built in a test). */
export function requestCf(request: Request): RequestCf | null {
  let cf = cfByRequest.get(request);
  if (cf === undefined) {
    const value = (request as { cf?: unknown }).cf;
    cf = typeof value === "object" && value !== null ? (value as RequestCf) : null;
    cfByRequest.set(request, cf);
  }
  return cf;
}
