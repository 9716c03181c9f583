// Sucrase's parser is used directly (to find TypeScript namespaces); its ESM build ships no types
// of its own, so point the deep imports at the declarations sucrase publishes under dist/types.
declare module "sucrase/dist/esm/parser/index.js" {
  export * from "sucrase/dist/types/parser/index";
}
declare module "sucrase/dist/esm/parser/tokenizer/keywords.js" {
  export * from "sucrase/dist/types/parser/tokenizer/keywords";
}
declare module "sucrase/dist/esm/parser/tokenizer/types.js" {
  export * from "sucrase/dist/types/parser/tokenizer/types";
}
