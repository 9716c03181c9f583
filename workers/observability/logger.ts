// Structured logs: one JSON object per line, which Workers Logs and `wrangler tail` index by field.
export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export function createLogger(base: LogFields = {}, sink: (line: string) => void = console.log): Logger {
  return {
    log(level, message, fields = {}) {
      sink(JSON.stringify({ level, message, time: new Date().toISOString(), ...base, ...fields }));
    },
    child(fields) {
      return createLogger({ ...base, ...fields }, sink);
    },
  };
}
