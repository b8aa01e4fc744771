/// <reference lib="dom" />
/** The lazily loaded bundles: their URLs (with content hashes) and the editor's loader. */
import type * as EditorModule from "./editor/main.ts";

/** The URL of a lazily loaded bundle, with its hash (from the page's `skiff-assets` meta tag). */
export function assetUrl(name: string): string {
  const meta = document.querySelector('meta[name="skiff-assets"]')?.getAttribute("content") ?? "";
  const hash = meta.split(",").map((p) => p.split("=")).find(([n]) => n === name)?.[1] ?? "";
  return `/assets/${name}?v=${hash}`;
}

/** The editor bundle's exports. */
export type Editors = typeof EditorModule;

let editor: Promise<Editors> | undefined;

/** Loads the editor bundle once. */
export function loadEditor(): Promise<Editors> {
  const url = assetUrl("editor.js");
  editor ??= (import(url) as Promise<Editors>).catch((e) => {
    editor = undefined;
    throw e;
  });
  return editor;
}
