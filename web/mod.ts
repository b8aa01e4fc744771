/**
 * skiff's web part: Argo Server's REST API (and later the UI) over a {@link WorkflowService} that a
 * host implements.
 *
 * @module
 */
export { apiRoutes, type AppOptions, createApp } from "./app.ts";
export { type AuthConfig, generateToken, isLoopback, loadToken } from "./auth.ts";
export { httpStatus } from "./errors.ts";
export { openApiDocument } from "./openapi.ts";
export * from "./service.ts";
export * from "./selectors.ts";
