/**
 * Errors as Argo Server returns them: a JSON body `{code, message}` with the gRPC code, and the HTTP
 * status grpc-gateway maps that code to.
 */
import { Code, ServiceError, type StatusCode } from "./service.ts";

/** The HTTP status of a gRPC code (grpc-gateway's HTTPStatusFromCode). */
export function httpStatus(code: StatusCode): number {
  switch (code) {
    case Code.OK:
      return 200;
    case Code.Canceled:
      return 499;
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
    case Code.OutOfRange:
      return 400;
    case Code.DeadlineExceeded:
      return 504;
    case Code.NotFound:
      return 404;
    case Code.AlreadyExists:
    case Code.Aborted:
      return 409;
    case Code.PermissionDenied:
      return 403;
    case Code.ResourceExhausted:
      return 429;
    case Code.Unimplemented:
      return 501;
    case Code.Unavailable:
      return 503;
    case Code.Unauthenticated:
      return 401;
    default:
      return 500;
  }
}

/** The JSON body of an error response. */
export interface ErrorBody {
  code: StatusCode;
  message: string;
}

/** Turns anything thrown into a ServiceError; unexpected errors become Internal with their message. */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ServiceError(Code.Internal, message);
}

/** A JSON error response. */
export function errorResponse(err: unknown): Response {
  const e = toServiceError(err);
  const body: ErrorBody = { code: e.code, message: e.message };
  return new Response(JSON.stringify(body), {
    status: httpStatus(e.code),
    headers: { "content-type": "application/json" },
  });
}
