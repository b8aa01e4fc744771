// Standard base64 (RFC 4648, with padding) over UTF-8 bytes, as Go's encoding/base64.StdEncoding.

const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 of the UTF-8 bytes of `s`. */
export function b64encode(s: string): string {
  const buf = Uint8Array.wrap(String.UTF8.encode(s));
  let out = "";
  let i = 0;
  const n = buf.length;
  for (; i + 2 < n; i += 3) {
    const v = (<u32> buf[i] << 16) | (<u32> buf[i + 1] << 8) | <u32> buf[i + 2];
    out += ALPHA.charAt(v >> 18) + ALPHA.charAt((v >> 12) & 63) + ALPHA.charAt((v >> 6) & 63) +
      ALPHA.charAt(v & 63);
  }
  if (n - i == 1) {
    const v = <u32> buf[i] << 16;
    out += ALPHA.charAt(v >> 18) + ALPHA.charAt((v >> 12) & 63) + "==";
  } else if (n - i == 2) {
    const v = (<u32> buf[i] << 16) | (<u32> buf[i + 1] << 8);
    out += ALPHA.charAt(v >> 18) + ALPHA.charAt((v >> 12) & 63) + ALPHA.charAt((v >> 6) & 63) + "=";
  }
  return out;
}

/** Decodes base64 into a UTF-8 string; null when the input is not valid base64. */
export function b64decode(s: string): string | null {
  const n = s.length;
  if (n % 4 != 0) return null;
  const out = new Uint8Array((n / 4) * 3);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    let v: u32 = 0;
    let pad = 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      let d: i32 = -1;
      if (c == 61 && i + 4 == n && j >= 2) {
        pad++;
        d = 0;
      } else if (pad == 0) d = ALPHA.indexOf(String.fromCharCode(c));
      if (d < 0) return null;
      v = (v << 6) | <u32> d;
    }
    out[o++] = <u8> (v >> 16);
    if (pad < 2) out[o++] = <u8> ((v >> 8) & 255);
    if (pad < 1) out[o++] = <u8> (v & 255);
  }
  return String.UTF8.decodeUnsafe(out.dataStart, o);
}
