/**
 * Host functions the WASM module imports: exact float printing/parsing, regular expressions
 * (Go RE2 syntax mapped onto JavaScript RegExp) and JSONPath through jsonpath-plus. All are
 * pure: the expression core stays deterministic.
 *
 * @module
 */
import { JSONPath } from "jsonpath-plus";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const POSIX: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: "\\t\\n\\v\\f\\r ",
  xdigit: "0-9A-Fa-f",
  word: "\\w",
  punct: "!-\\/:-@\\[-`{-~",
  blank: " \\t",
};

/** Translates Go RE2 syntax to a JavaScript RegExp (flags groups, \A \z, (?P<name>, POSIX classes). */
export function goRegExp(pattern: string): RegExp {
  let flags = "";
  let src = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    const f = lead[1] ?? "";
    if (f.includes("U")) throw new Error("ungreedy flag (?U) is not supported");
    flags += f.replace(/[^ims]/g, "");
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\\A/g, "^").replace(/\\z/g, "$(?![\\s\\S])").replace(/\(\?P</g, "(?<");
  src = src.replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
    const cls = POSIX[name];
    if (cls === undefined) return m;
    return neg ? `^${cls}` : cls;
  });
  try {
    return new RegExp(src, flags + "u");
  } catch {
    return new RegExp(src, flags);
  }
}

/** True when a JSONPath selects exactly one location (no wildcards, filters, unions, slices or recursion). */
function definitePath(path: string): boolean {
  return !/\*|\.\.|\?\(|,|:|\[\s*\(/.test(path);
}

/** Builds the import object for the module; `memory` is resolved lazily after instantiation. */
export function hostImports(memory: () => WebAssembly.Memory): WebAssembly.Imports {
  let pending = new Uint8Array(0);
  const regexCache = new Map<string, RegExp | null>();
  const bytes = (ptr: number, len: number) => new Uint8Array(memory().buffer, ptr, len);
  const text = (ptr: number, len: number) => decoder.decode(bytes(ptr, len));
  const regex = (pattern: string): RegExp | null => {
    let re = regexCache.get(pattern);
    if (re === undefined) {
      try {
        re = goRegExp(pattern);
      } catch {
        re = null;
      }
      if (regexCache.size > 500) regexCache.clear();
      regexCache.set(pattern, re);
    }
    return re;
  };
  return {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`expr-wasm: internal error (abort at ${line}:${col})`);
      },
    },
    host: {
      fmtFloat(x: number, dst: number): number {
        const s = String(x);
        encoder.encodeInto(s, bytes(dst, 64));
        return s.length;
      },
      parseFloat(ptr: number, len: number): number {
        return Number(text(ptr, len));
      },
      regexMatch(pp: number, pl: number, sp: number, sl: number): number {
        const re = regex(text(pp, pl));
        if (re === null) return -1;
        re.lastIndex = 0;
        return re.test(text(sp, sl)) ? 1 : 0;
      },
      jsonpath(dp: number, dl: number, pp: number, pl: number): number {
        const path = text(pp, pl);
        let out: string;
        let ok = true;
        try {
          const json = JSON.parse(text(dp, dl));
          const found = JSONPath({ path, json, wrap: true }) as unknown[];
          if (definitePath(path)) {
            if (found.length === 0) throw new Error(`jsonpath: no value at path '${path}'`);
            out = JSON.stringify(found[0]);
          } else {
            out = JSON.stringify(found);
          }
        } catch (e) {
          ok = false;
          out = e instanceof Error ? e.message : String(e);
        }
        pending = encoder.encode(out ?? "null");
        return ok ? pending.length : -pending.length;
      },
      takeResult(dst: number) {
        bytes(dst, pending.length).set(pending);
      },
    },
  };
}
