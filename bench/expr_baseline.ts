/**
 * A plain TypeScript expression baseline, written only for the benchmark (not used by the
 * product): regex-based `{{}}` substitution with JSON escaping and a small recursive-descent
 * `when` evaluator (bare words as strings, numbers as numbers, == != < <= > >= && || ! and
 * parentheses).
 *
 * @module
 */

const TAG = /\{\{([^}]*)\}\}/g;

/** Substitutes simple tags from `vars`; with `json`, values are escaped for JSON strings. */
export function baselineSubstitute(text: string, vars: Map<string, string>, json: boolean): string {
  return text.replace(TAG, (whole, name: string) => {
    const v = vars.get(name.trim());
    if (v === undefined) return whole;
    return json ? JSON.stringify(v).slice(1, -1) : v;
  });
}

type Tok = { k: "num" | "str" | "op" | "word"; v: string };

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|(==|!=|<=|>=|&&|\|\||[<>!()])|([A-Za-z_][\w.-]*))/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < s.length && (m = re.exec(s)) !== null) {
    if (m[1] !== undefined) out.push({ k: "num", v: m[1] });
    else if (m[2] !== undefined) out.push({ k: "str", v: m[2] });
    else if (m[3] !== undefined) out.push({ k: "str", v: m[3] });
    else if (m[4] !== undefined) out.push({ k: "op", v: m[4] });
    else if (m[5] !== undefined) out.push({ k: "word", v: m[5] });
    if (/^\s*$/.test(s.slice(re.lastIndex))) break;
  }
  return out;
}

/** Evaluates a substituted `when` expression. */
export function baselineWhen(expr: string): boolean {
  const toks = lex(expr);
  let i = 0;
  const peek = () => toks[i];
  const value = (): unknown => {
    const t = toks[i++];
    if (t === undefined) throw new Error("unexpected end");
    if (t.k === "op" && t.v === "(") {
      const v = or();
      i++;
      return v;
    }
    if (t.k === "op" && t.v === "!") return !value();
    if (t.k === "num") return Number(t.v);
    if (t.k === "word" && (t.v === "true" || t.v === "false")) return t.v === "true";
    return t.v;
  };
  const cmp = (): unknown => {
    const l = value();
    const t = peek();
    if (t?.k === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.v)) {
      i++;
      const r = value();
      switch (t.v) {
        case "==":
          return l === r;
        case "!=":
          return l !== r;
        case "<":
          return (l as number) < (r as number);
        case "<=":
          return (l as number) <= (r as number);
        case ">":
          return (l as number) > (r as number);
        default:
          return (l as number) >= (r as number);
      }
    }
    return l;
  };
  const and = (): unknown => {
    let l = cmp();
    while (peek()?.v === "&&") {
      i++;
      const r = cmp();
      l = l && r;
    }
    return l;
  };
  const or = (): unknown => {
    let l = and();
    while (peek()?.v === "||") {
      i++;
      const r = and();
      l = l || r;
    }
    return l;
  };
  const v = or();
  if (typeof v !== "boolean") throw new Error(`non-boolean result for ${expr}`);
  return v;
}

/** Baseline `when` with substitution first, as the engine would call it. */
export function baselineEvalWhen(expr: string, vars: Map<string, string>): boolean {
  return baselineWhen(baselineSubstitute(expr, vars, false));
}
