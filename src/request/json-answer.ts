import type { Response } from 'express';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Arrays longer than this are written a piece at a time. */
const PIECE_ITEMS = 1000;

/**
 * `res.status(status).json(value)` for answers that may be large (an import's preview: 300 000 lines and as
 * many issues are 130 MB of JSON, 3 s of JSON.stringify in one go). The top-level arrays are serialised a
 * thousand items at a time, other requests served between pieces, and written as they come (waiting
 * for the socket when its buffer is full). The bytes are those JSON.stringify would give. Small answers
 * go through `res.json` as before.
 */
export async function sendLargeJson(res: Response, status: number, value: object): Promise<void> {
  const entries = Object.entries(value).filter(([, field]) => field !== undefined && typeof field !== 'function' && typeof field !== 'symbol');
  if (!entries.some(([, field]) => Array.isArray(field) && field.length > PIECE_ITEMS)) {
    res.status(status).json(value);
    return;
  }
  res.status(status).type('application/json; charset=utf-8');
  const write = async (text: string): Promise<void> => {
    if (!res.write(text)) await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  let first = true;
  for (const [key, field] of entries) {
    const head = `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(field) || field.length <= PIECE_ITEMS) {
      await write(head + JSON.stringify(field));
      continue;
    }
    await write(`${head}[`);
    for (let i = 0; i < field.length; i += PIECE_ITEMS) {
      if (res.destroyed) return;
      const piece = JSON.stringify(field.slice(i, i + PIECE_ITEMS));
      await write((i > 0 ? ',' : '') + piece.slice(1, -1));
      // A turn of the event loop after each piece: a socket that takes everything at once never waits for 'drain'.
      await nextTurn();
    }
    await write(']');
  }
  res.end(first ? '{}' : '}');
}
