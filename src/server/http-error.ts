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

export function sendHttpError(res: Response, error: HttpError): void {
  if (res.headersSent) return;
  res.status(error.status).set(error.headers).json({ error: error.message, ...(error.field ? { field: error.field } : {}) });
}
