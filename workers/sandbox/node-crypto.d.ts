// The few synchronous node:crypto functions the sandbox uses for the program's crypto.createHash /
// createHmac (workerd implements them under the nodejs_compat flag). Declared here because the
// project does not pull in Node's type definitions.
declare module "node:crypto" {
  interface Hash {
    update(data: Uint8Array | string): Hash;
    digest(): Uint8Array;
  }
  export function createHash(algorithm: string): Hash;
  export function createHmac(algorithm: string, key: Uint8Array | string): Hash;
}
