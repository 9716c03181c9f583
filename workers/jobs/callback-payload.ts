import type { CallbackPayload } from "./callbacks";
import { presentJob } from "./present-job";
import type { Job } from "./types";

/** What a finished job's callback carries, by the API that created the job. */
export function callbackPayload(job: Job): CallbackPayload {
  return { method: "POST", body: presentJob(job) };
}
