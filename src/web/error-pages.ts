import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { HttpError, sendHttpError } from '../request/http-error';
import { drainRequest } from '../request/uploads';
import { WebPage } from './page-layout';
import { sendPage } from './web.routes';

/**
 * What answers when no route did, or when one failed: a page of the site (DSFR, in French) for a browser,
 * `{ error }` in French for a program — never Express's English « Cannot GET … » nor a stack trace. A
 * browser is told apart by its Accept header: it asks for text/html first, fetch() and curl ask for any
 * type (which gets JSON).
 */

const NOT_FOUND_PAGE: WebPage = { path: '', file: 'erreur-404.html', title: 'Page non trouvée', script: null, nav: false };
const SERVER_ERROR_PAGE: WebPage = { path: '', file: 'erreur-500.html', title: 'Erreur inattendue', script: null, nav: false };
const GRAPHQL_PAGE: WebPage = { path: '/graphql', file: 'graphql.html', title: 'L’API GraphQL', script: null, nav: false };

/** Enough of a path to recognise it, not a whole pasted document echoed back. */
const MAX_PATH_CHARS = 200;

export function wantsHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}

/** The last handler: nothing answered this method and path. */
export const notFound: RequestHandler = (req, res) => {
  if (wantsHtml(req)) return sendPage(res, NOT_FOUND_PAGE, 404);
  const path = req.path.length > MAX_PATH_CHARS ? `${req.path.slice(0, MAX_PATH_CHARS)}…` : req.path;
  res.status(404).json({
    error: `Adresse inconnue : ${req.method} ${path}. L’API GraphQL répond en POST sur /graphql ; les exports sur /api/export/…, les rapports sur /api/reports/NOM.csv (voir la documentation).`,
  });
};

/**
 * The last error handler: an error no route answered. A 4xx of Express or of a body parser (a path that
 * cannot be decoded, unreadable JSON) keeps its status with a French message; anything else is a 500,
 * logged here, whose details stay in the log.
 */
export const serverError: ErrorRequestHandler = (error, req, res, _next) => {
  if (res.headersSent) {
    // Part of the answer is gone: cutting the connection is the only way to say it is incomplete.
    console.error(error);
    req.socket.destroy();
    return;
  }
  drainRequest(req);
  if (error instanceof HttpError && error.status < 500) return sendHttpError(res, error);
  const declared = Number((error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode);
  const status = declared >= 400 && declared < 500 ? declared : 500;
  if (status === 500) console.error(error);
  if ((status === 500 || status === 404) && wantsHtml(req)) {
    try {
      return sendPage(res, status === 500 ? SERVER_ERROR_PAGE : NOT_FOUND_PAGE, status);
    } catch (pageError) {
      // The page itself could not be read: the JSON answer below still says it in French.
      console.error(pageError);
    }
  }
  res.status(status).json({ error: status === 500 ? 'Erreur interne du serveur.' : `Requête refusée (erreur ${status}) : adresse ou corps de la requête illisible.` });
};

/**
 * `GET /graphql` typed in a browser's address bar: Apollo refuses it (CSRF protection) with a JSON error;
 * a person gets a page saying what the address is for, leading to /requetes. Programs (no text/html in
 * Accept, or a preflight header) go on to Apollo, unchanged.
 */
export const graphqlLandingPage: RequestHandler = (req, res, next) => {
  const preflighted = req.headers['apollo-require-preflight'] !== undefined || req.headers['x-apollo-operation-name'] !== undefined;
  if (preflighted || !wantsHtml(req)) return next();
  sendPage(res, GRAPHQL_PAGE);
};

