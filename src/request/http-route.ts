import type { NextFunction, Request, Response } from 'express';
import { HttpError, RequestRefusal } from './http-error';
import { refuseRequest } from './uploads';

/**
 * Wraps an async route: every refusal is `{ error, field? }` in French with its status; an unexpected
 * failure is logged and answered as a bare 500 (or, once a streamed body has started, ends the response).
 */
export function route(handler: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof HttpError) return refuseRequest(req, res, error);
      if (error instanceof RequestRefusal) return refuseRequest(req, res, new HttpError(error.status, error.message, error.field));
      if (res.headersSent) return next(error);
      console.error(error);
      refuseRequest(req, res, new HttpError(500, 'Erreur interne du serveur.'));
    }
  };
}
