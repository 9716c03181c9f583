// piston-client ships no types; this is the part of its surface the e2e test uses.
declare module "piston-client" {
  interface PistonClient {
    runtimes(): Promise<Array<{ language: string; version: string; aliases: string[] }>>;
    execute(language: string, code: string, config?: Record<string, unknown>): Promise<any>;
  }
  export default function piston(options?: { server?: string }): PistonClient;
}
