// TypeScript `namespace` blocks lowered to the IIFE TypeScript itself emits. Sucrase treats every
// non-`declare` namespace as a type and silently deletes it, so `namespace N { export const x = 1 }`
// would leave `N` undefined at run time.
//
// "Lite" support: `[export] namespace Name { ... }` (also the old `module Name { ... }`), nested
// namespaces, exported const/let/var (incl. destructuring), functions, classes, enums and nested
// namespaces. Exported names are copied onto the namespace object at the end of its body, so code
// outside sees them; inside, references stay plain locals (TypeScript would rewrite them to `N.x`,
// which only matters if outside code reassigns an exported `let`). Dotted names (`namespace A.B`)
// are left alone. All edits keep line numbers.
import { parse } from "sucrase/dist/esm/parser/index.js";
import { ContextualKeyword } from "sucrase/dist/esm/parser/tokenizer/keywords.js";
import { TokenType as tt } from "sucrase/dist/esm/parser/tokenizer/types.js";

interface Token {
  type: number;
  contextualKeyword: number;
  start: number;
  end: number;
  identifierRole: number | null;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** identifierRole values sucrase gives to declared names (top-level, function- and block-scoped). */
const DECLARATION_ROLES = new Set([2, 3, 4]);

const OPENERS = new Set<number>([tt.braceL, tt.dollarBraceL, tt.bracketL, tt.parenL, tt.braceBarL]);
const CLOSERS = new Set<number>([tt.braceR, tt.bracketR, tt.parenR, tt.braceBarR]);

function isNamespaceKeyword(token: Token | undefined): boolean {
  return (
    token !== undefined &&
    token.type === tt.name &&
    (token.contextualKeyword === ContextualKeyword._namespace || token.contextualKeyword === ContextualKeyword._module)
  );
}

/** Index of the token closing the bracket opened at `open`. */
function matchingClose(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (OPENERS.has(tokens[i].type)) depth++;
    else if (CLOSERS.has(tokens[i].type)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** True if tokens[i] starts `namespace Name {` that is not part of a `declare`. */
function startsNamespace(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  const prevPrev = tokens[i - 2];
  const declared =
    prev?.contextualKeyword === ContextualKeyword._declare ||
    (prev?.type === tt._export && prevPrev?.contextualKeyword === ContextualKeyword._declare);
  return (
    !declared &&
    isNamespaceKeyword(tokens[i]) &&
    tokens[i + 1]?.type === tt.name &&
    tokens[i + 2]?.type === tt.braceL
  );
}

/**
 * Lowers the namespace whose keyword is tokens[keyword]; returns the index of its closing brace.
 * Edits for nested namespaces are produced by the recursive call.
 */
function lowerNamespace(code: string, tokens: Token[], keyword: number, edits: Edit[]): number {
  const name = code.slice(tokens[keyword + 1].start, tokens[keyword + 1].end);
  const open = keyword + 2;
  const close = matchingClose(tokens, open);
  edits.push({ start: tokens[keyword].start, end: tokens[open].end, text: `var ${name}; (function (${name}) {` });

  const exported: string[] = [];
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const token = tokens[i];
    if (depth === 0 && startsNamespace(tokens, i)) {
      i = lowerNamespace(code, tokens, i, edits);
      continue;
    }
    if (OPENERS.has(token.type)) depth++;
    else if (CLOSERS.has(token.type)) depth--;
    if (depth !== 0 || token.type !== tt._export) continue;

    const next = tokens[i + 1];
    const isTypeOnly =
      next !== undefined &&
      [ContextualKeyword._declare, ContextualKeyword._type, ContextualKeyword._interface].includes(next.contextualKeyword);
    if (isTypeOnly) continue; // sucrase removes these along with their `export`.
    edits.push({ start: token.start, end: token.end, text: " ".repeat(token.end - token.start) });

    if (next?.type === tt._const || next?.type === tt._let || next?.type === tt._var) {
      // Names bound by each declarator (before its `=`; destructuring patterns included), up to
      // the end of the statement: the next `;` or `export` at this depth.
      let inner = 0;
      let inInitializer = false;
      for (let j = i + 2; j < close; j++) {
        const t = tokens[j];
        if (OPENERS.has(t.type)) inner++;
        else if (CLOSERS.has(t.type)) inner--;
        if (inner === 0 && (t.type === tt.semi || t.type === tt._export)) break;
        if (inner === 0 && t.type === tt.eq) inInitializer = true;
        else if (inner === 0 && t.type === tt.comma) inInitializer = false;
        else if (!inInitializer && t.type === tt.name && t.identifierRole !== null && DECLARATION_ROLES.has(t.identifierRole)) {
          exported.push(code.slice(t.start, t.end));
        }
      }
      continue;
    }
    // function / async function / class / abstract class / enum / const enum / namespace: the name
    // is the first declared identifier after `export`.
    for (let j = i + 1; j < Math.min(close, i + 5); j++) {
      const t = tokens[j];
      if (t.type === tt.name && t.identifierRole !== null && DECLARATION_ROLES.has(t.identifierRole)) {
        exported.push(code.slice(t.start, t.end));
        break;
      }
    }
  }

  const copies = exported.map((n) => `${name}.${n} = ${n};`).join(" ");
  edits.push({
    start: tokens[close].start,
    end: tokens[close].end,
    text: `${copies ? `; ${copies} ` : ""}})(${name} || (${name} = {}));`,
  });
  return close;
}

/** Rewrites non-declare namespaces into IIFEs; returns the code unchanged if there are none. */
export function lowerNamespaces(code: string): string {
  if (!/\b(namespace|module)\b/.test(code)) return code;
  let tokens: Token[];
  try {
    tokens = parse(code, false, true, false).tokens as unknown as Token[];
  } catch {
    return code; // Let the real transform report the syntax error.
  }
  const edits: Edit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (startsNamespace(tokens, i)) i = lowerNamespace(code, tokens, i, edits);
  }
  if (edits.length === 0) return code;
  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += code.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + code.slice(at);
}
