/**
 * The app bundle's one library, pinned here (the .tsx files' `@jsxImportSource` pragma names the
 * same version: keep the two equal, or two copies of preact end up in the bundle).
 *
 * @module
 */
export { Fragment, h, render } from "npm:preact@11.2.0";
export type { ComponentChildren } from "npm:preact@11.2.0";
export { useEffect, useMemo, useRef, useState } from "npm:preact@11.2.0/hooks";
