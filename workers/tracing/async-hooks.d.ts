// The part of node:async_hooks the tracer uses (workerd implements AsyncLocalStorage under the
// nodejs_compat flag). Declared here because the project does not pull in Node's type definitions.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
