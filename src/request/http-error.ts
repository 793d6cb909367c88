import type { Response } from 'express';

/** An error of an HTTP route whose status and French message go to the client as `{ error, field? }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The form field or parameter at fault, when there is one. */
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A refusal thrown by code that knows no HTTP (a service's "bad request" or "forbidden", e.g.
 * ImportRequestError): a route (`route()` in http-route.ts) answers it like an HttpError of the same status,
 * message and field, without knowing the service's error classes.
 */
export class RequestRefusal extends Error {
  constructor(
    message: string,
    /** The request field at fault, when there is one. */
    readonly field?: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}

export function sendHttpError(res: Response, error: HttpError): void {
  if (res.headersSent) return;
  res.status(error.status).set(error.headers).json({ error: error.message, ...(error.field ? { field: error.field } : {}) });
}
