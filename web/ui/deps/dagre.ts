/**
 * The layout worker's library, pinned here: dagre (layered graph layout).
 *
 * @module
 */
export { default as dagre } from "npm:@dagrejs/dagre@3.1.3";
