// A caller may name its request (X-Request-Id) so its logs and ours line up; we accept ids that are
// safe to echo into headers and logs, and mint a UUID otherwise.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function chooseRequestId(incoming: string | null | undefined): string {
  if (incoming && ACCEPTABLE_REQUEST_ID.test(incoming)) return incoming;
  return crypto.randomUUID();
}
