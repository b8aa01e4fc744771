// Host imports. Every one is pure (same input, same output): the module never reads a clock,
// randomness or I/O. The loader (expr-wasm/mod.ts) provides them. No decorators: a declared
// function in this file is imported as `host.<name>` (AssemblyScript names imports after the file).

/** Writes the shortest round-trip decimal form of `x` (JavaScript Number#toString) at `dst`, returns its length. */
declare function fmtFloat(x: f64, dst: usize): i32;

/** Parses the ASCII number at `ptr` (already validated by the caller); NaN if the host cannot. */
declare function parseFloat(ptr: usize, len: i32): f64;

/** Regex search (Go RE2 syntax translated to JS RegExp on the host). 1 match, 0 no match, -1 bad pattern. */
declare function regexMatch(patPtr: usize, patLen: i32, strPtr: usize, strLen: i32): i32;

/** JSONPath query via jsonpath-plus. Returns the byte length of the JSON result (or of an error message if negative). */
declare function jsonpath(docPtr: usize, docLen: i32, pathPtr: usize, pathLen: i32): i32;

/** Copies the bytes produced by the last host call that returned a length into `dst`. */
declare function takeResult(dst: usize): void;

export {
  fmtFloat as hostFmtFloat,
  jsonpath as hostJsonpath,
  parseFloat as hostParseFloat,
  regexMatch as hostRegexMatch,
  takeResult as hostTakeResult,
};
