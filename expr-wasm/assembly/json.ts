// JSON as Go's encoding/json sees it: Unmarshal into interface{} (numbers become float64) and
// Marshal (map keys sorted, <, >, & escaped as \u003c, \u003e, \u0026 unless `html` is off).

import { fail } from "./err";
import {
  arrV,
  bool_,
  floatV,
  jsonFloat,
  K_ARR,
  K_BOOL,
  K_FLOAT,
  K_INT,
  K_MAP,
  K_NIL,
  K_STR,
  mapV,
  NIL,
  parseFloatStrict,
  sortedKeys,
  strV,
  Value,
} from "./value";

const HEX = "0123456789abcdef";

/** Appends `s` JSON-escaped (no surrounding quotes) to `out`. */
export function escapeJSON(s: string, html: bool): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c == 34) rep = '\\"';
    else if (c == 92) rep = "\\\\";
    else if (c < 0x20) {
      if (c == 10) rep = "\\n";
      else if (c == 13) rep = "\\r";
      else if (c == 9) rep = "\\t";
      else rep = "\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    } else if (html && (c == 60 || c == 62 || c == 38)) {
      rep = "\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    } else if (c == 0x2028) rep = "\\u2028";
    else if (c == 0x2029) rep = "\\u2029";
    if (rep !== null) {
      out += s.substring(start, i) + rep;
      start = i + 1;
    }
  }
  if (start == 0) return s;
  return out + s.substring(start);
}

/** Go json.Marshal of the value; empty string and an error recorded for NaN/Inf. */
export function marshal(v: Value, html: bool): string {
  return marshalIndent(v, html, null, "");
}

/** Go json.MarshalIndent(v, "", indent) when `indent` is set, json.Marshal otherwise. */
export function marshalIndent(v: Value, html: bool, indent: string | null, cur: string): string {
  switch (v.kind) {
    case K_NIL:
      return "null";
    case K_BOOL:
      return v.b ? "true" : "false";
    case K_INT:
      return v.i.toString();
    case K_FLOAT:
      if (!isFinite(v.f)) {
        fail("json: unsupported value: " + (isNaN(v.f) ? "NaN" : v.f > 0 ? "+Inf" : "-Inf"));
        return "";
      }
      return jsonFloat(v.f);
    case K_STR:
      return '"' + escapeJSON(v.s, html) + '"';
    case K_ARR: {
      const a = v.items();
      if (a.length == 0) return "[]";
      const inner = indent === null ? "" : cur + indent;
      let out = "[";
      for (let i = 0; i < a.length; i++) {
        if (i > 0) out += ",";
        if (indent !== null) out += "\n" + inner;
        out += marshalIndent(a[i], html, indent, inner);
      }
      if (indent !== null) out += "\n" + cur;
      return out + "]";
    }
    case K_MAP: {
      const m = v.entries();
      if (m.size == 0) return "{}";
      const inner = indent === null ? "" : cur + indent;
      const ks = sortedKeys(m);
      let out = "{";
      for (let i = 0; i < ks.length; i++) {
        if (i > 0) out += ",";
        if (indent !== null) out += "\n" + inner;
        out += '"' + escapeJSON(ks[i], html) + (indent !== null ? '": ' : '":');
        out += marshalIndent(m.get(ks[i]), html, indent, inner);
      }
      if (indent !== null) out += "\n" + cur;
      return out + "}";
    }
  }
  return '"' + escapeJSON(v.s, html) + '"';
}

class JSONParser {
  pos: i32 = 0;
  constructor(public s: string) {}

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 32 || c == 9 || c == 10 || c == 13) this.pos++;
      else break;
    }
  }

  err(what: string): Value {
    fail(what);
    return NIL;
  }

  value(): Value {
    this.ws();
    if (this.pos >= this.s.length) return this.err("unexpected end of JSON input");
    const c = this.s.charCodeAt(this.pos);
    if (c == 123) return this.object();
    if (c == 91) return this.array();
    if (c == 34) {
      const str = this.string();
      return str === null ? NIL : strV(str);
    }
    if (this.s.startsWith("true", this.pos)) {
      this.pos += 4;
      return bool_(true);
    }
    if (this.s.startsWith("false", this.pos)) {
      this.pos += 5;
      return bool_(false);
    }
    if (this.s.startsWith("null", this.pos)) {
      this.pos += 4;
      return NIL;
    }
    if (c == 45 || (c >= 48 && c <= 57)) return this.number();
    return this.err("invalid character '" + String.fromCharCode(c) + "' looking for beginning of value");
  }

  number(): Value {
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if ((c >= 48 && c <= 57) || c == 45 || c == 43 || c == 46 || c == 101 || c == 69) this.pos++;
      else break;
    }
    const f = parseFloatStrict(this.s.substring(start, this.pos));
    if (isNaN(f)) return this.err("invalid number literal in JSON");
    return floatV(f);
  }

  string(): string | null {
    this.pos++; // opening quote
    let out = "";
    let start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 34) {
        out += this.s.substring(start, this.pos);
        this.pos++;
        return out;
      }
      if (c == 92) {
        out += this.s.substring(start, this.pos);
        this.pos++;
        if (this.pos >= this.s.length) break;
        const e = this.s.charCodeAt(this.pos);
        this.pos++;
        if (e == 110) out += "\n";
        else if (e == 116) out += "\t";
        else if (e == 114) out += "\r";
        else if (e == 98) out += "\b";
        else if (e == 102) out += "\f";
        else if (e == 117) {
          if (this.pos + 4 > this.s.length) break;
          const code = I32.parseInt(this.s.substring(this.pos, this.pos + 4), 16);
          out += String.fromCharCode(code);
          this.pos += 4;
        } else if (e == 34 || e == 92 || e == 47) out += String.fromCharCode(e);
        else {
          fail("invalid character '" + String.fromCharCode(e) + "' in string escape code");
          return null;
        }
        start = this.pos;
        continue;
      }
      if (c < 0x20) {
        fail("invalid character in string literal");
        return null;
      }
      this.pos++;
    }
    fail("unexpected end of JSON input");
    return null;
  }

  array(): Value {
    this.pos++;
    const a = new Array<Value>();
    this.ws();
    if (this.pos < this.s.length && this.s.charCodeAt(this.pos) == 93) {
      this.pos++;
      return arrV(a);
    }
    while (true) {
      const v = this.value();
      if (failedLocal()) return NIL;
      a.push(v);
      this.ws();
      if (this.pos >= this.s.length) return this.err("unexpected end of JSON input");
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c == 93) return arrV(a);
      if (c != 44) return this.err("invalid character '" + String.fromCharCode(c) + "' after array element");
    }
    return NIL;
  }

  object(): Value {
    this.pos++;
    const m = new Map<string, Value>();
    this.ws();
    if (this.pos < this.s.length && this.s.charCodeAt(this.pos) == 125) {
      this.pos++;
      return mapV(m);
    }
    while (true) {
      this.ws();
      if (this.pos >= this.s.length || this.s.charCodeAt(this.pos) != 34) {
        return this.err("invalid character looking for beginning of object key string");
      }
      const k = this.string();
      if (k === null) return NIL;
      this.ws();
      if (this.pos >= this.s.length || this.s.charCodeAt(this.pos) != 58) {
        return this.err("invalid character after object key");
      }
      this.pos++;
      const v = this.value();
      if (failedLocal()) return NIL;
      m.set(k, v);
      this.ws();
      if (this.pos >= this.s.length) return this.err("unexpected end of JSON input");
      const c = this.s.charCodeAt(this.pos);
      this.pos++;
      if (c == 125) return mapV(m);
      if (c != 44) {
        return this.err("invalid character '" + String.fromCharCode(c) + "' after object key:value pair");
      }
    }
    return NIL;
  }
}

import { clearError, failed } from "./err";

function failedLocal(): bool {
  return failed();
}

/** Go json.Unmarshal into interface{}: records an error (and returns nil) on invalid input. */
export function unmarshal(s: string): Value {
  const p = new JSONParser(s);
  const v = p.value();
  if (failed()) return NIL;
  p.ws();
  if (p.pos != s.length) {
    fail("invalid character '" + s.charAt(p.pos) + "' after top-level value");
    return NIL;
  }
  return v;
}

/** Decodes a JSON string body (the text between quotes, escapes included); null if invalid. */
export function unescapeJSONBody(s: string): string | null {
  if (s.indexOf("\\") < 0) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c == 34) return null;
    }
    return s;
  }
  const before = failed();
  const p = new JSONParser('"' + s + '"');
  const out = p.string();
  if (out === null || p.pos != s.length + 2) {
    if (!before) clearError();
    return null;
  }
  return out;
}
