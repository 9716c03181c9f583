import { judge0CallbackBody } from "../judge0/present";
import type { CallbackPayload } from "./callbacks";
import { presentJob } from "./present-job";
import type { Job } from "./types";

/** What a finished job's callback carries, by the API that created the job. */
export function callbackPayload(job: Job): CallbackPayload {
  // Judge0 PUTs the submission to callback_url; here it is signed and in the requested encoding.
  if (job.flavor === "judge0") return { method: "PUT", body: judge0CallbackBody(job) };
  return { method: "POST", body: presentJob(job) };
}
