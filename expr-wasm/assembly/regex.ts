// Regular expressions are delegated to the host (JavaScript RegExp with Go RE2 syntax translated:
// leading (?flags) groups, \z, \A; see mod.ts). Matching is unanchored, like Go's MatchString.

import { hostRegexMatch } from "./host";

/** 1 if `s` contains a match of `pattern`, 0 if not, -1 if the pattern is invalid. */
export function regexMatch(pattern: string, s: string): i32 {
  const p = String.UTF8.encode(pattern);
  const t = String.UTF8.encode(s);
  return hostRegexMatch(changetype<usize>(p), p.byteLength, changetype<usize>(t), t.byteLength);
}
