// {{...}} substitution over UTF-8 bytes, following fasttemplate + Argo's simpleReplaceStrict:
// a tag runs from "{{" to the next "}}"; "=..." tags are expressions; simple tags are trimmed
// and looked up; a nested "{{" inside a tag resolves the innermost name and re-emits "{{prefix";
// unresolved tags stay verbatim unless they fall under a strict prefix (artifacts excepted).

import { ByteWriter, indexOfPair, isSpaceByte } from "./bytes";
import { expressionTag, isStrict } from "./exprtag";
import { Scope } from "./scope";

/** Result lists of one substitution (text goes to the writer). */
export class SubstResult {
  unresolved: Array<string> = new Array<string>();
  errors: Array<string> = new Array<string>();
  /** When the whole text was one simple tag that resolved: the scope row used, else -1. */
  single: i32 = -1;

  clear(): void {
    this.single = -1;
    if (this.unresolved.length > 0) this.unresolved.length = 0;
    if (this.errors.length > 0) this.errors.length = 0;
  }
}

function writeValue(scope: Scope, idx: i32, json: bool, out: ByteWriter): void {
  const esc = json ? scope.escaped(idx) : null;
  if (esc !== null) out.raw(changetype<usize>(esc), esc.byteLength);
  else out.raw(scope.valuePtr(idx), scope.valueLen(idx));
}

/** Substitutes the `len` bytes at `src` into `out`. */
export function substitute(
  scope: Scope,
  src: usize,
  len: i32,
  json: bool,
  prefixes: Array<string>,
  out: ByteWriter,
  res: SubstResult,
): void {
  let pos = 0;
  const start = out.len;
  while (pos < len) {
    const open = indexOfPair(src, pos, len, 123, 123);
    if (open < 0) break;
    const close = indexOfPair(src, open + 2, len, 125, 125);
    if (close < 0) {
      out.len = start;
      out.raw(src, len);
      res.errors.push('cannot find end tag "}}" for the tag starting at byte ' + open.toString());
      return;
    }
    out.raw(src + pos, open - pos);
    pos = close + 2;
    const tagPtr = src + open + 2;
    const tagLen = close - open - 2;
    if (tagLen > 0 && load<u8>(tagPtr) == 61) {
      const body = String.UTF8.decodeUnsafe(tagPtr + 1, tagLen - 1);
      const r = expressionTag(scope, body, json, prefixes);
      if (r.status == 0) {
        out.str(r.text);
      } else {
        out.raw(tagPtr - 2, tagLen + 4);
        if (r.status == 1) res.unresolved.push("=" + body);
        else res.errors.push(r.text);
      }
      continue;
    }
    // trim like strings.TrimSpace (ASCII whitespace)
    let a = 0;
    let b = tagLen;
    while (a < b && isSpaceByte(load<u8>(tagPtr + a))) a++;
    while (b > a && isSpaceByte(load<u8>(tagPtr + b - 1))) b--;
    const idx = scope.find(tagPtr + a, b - a);
    if (idx >= 0) {
      if (open == 0 && pos == len) res.single = idx;
      writeValue(scope, idx, json, out);
      continue;
    }
    // nested tag: "{{steps.{{inputs.parameters.x}}.outputs}}" -> "{{steps.VALUE.outputs}}"
    let nested = -1;
    for (let i = tagLen - 2; i > 0; i--) {
      if (load<u8>(tagPtr + i) == 123 && load<u8>(tagPtr + i + 1) == 123) {
        nested = i;
        break;
      }
    }
    if (nested > 0) {
      const nidx = scope.find(tagPtr + nested + 2, tagLen - nested - 2);
      if (nidx >= 0) {
        out.byte(123);
        out.byte(123);
        out.raw(tagPtr, nested);
        writeValue(scope, nidx, json, out);
        continue;
      }
    }
    const name = String.UTF8.decodeUnsafe(tagPtr + a, b - a);
    out.raw(tagPtr - 2, tagLen + 4);
    if (isStrict(name, prefixes) && !name.includes(".outputs.artifacts.")) {
      res.errors.push("failed to resolve {{" + String.UTF8.decodeUnsafe(tagPtr, tagLen) + "}}");
    } else {
      res.unresolved.push(name);
    }
  }
  if (pos < len) out.raw(src + pos, len - pos);
}
