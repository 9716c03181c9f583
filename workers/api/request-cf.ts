// `request.cf` (the colo, the client's country and coordinates, …) read once per request.
//
// workerd builds the object anew from its serialized form on every access, and under `wrangler dev`
// that object is a large stand-in: one read cost ~0.17 ms of Worker CPU per request, measured with
// a CPU profile of `npm run bench`. Routing and metrics both need it, so they share one read.

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
