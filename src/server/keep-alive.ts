import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { readIntegerEnv } from '../config';

/**
 * How long a kept-alive connection may stay idle between two requests.
 *
 * Node starts a connection's idle timer when the last bytes of an answer are handed to the kernel, and
 * announces that same time (`Keep-Alive: timeout=5`). A client counts from the moment it has read those
 * bytes. After a large download (a 5 000-line export is megabytes, most of them still in the socket
 * buffers when Node is done) on a slow link or a busy client, the client is seconds behind: it reuses the
 * connection inside the time announced and meets a connection the server has just closed (ECONNRESET,
 * "socket hang up"). And when the event loop was blocked past the timer, Node's timers run before the
 * pending reads: a request sent in time was reset too. So the server keeps an idle connection `graceMs`
 * longer than it announces.
 */
export interface KeepAliveLimits {
  /** Announced in `Keep-Alive: timeout=…`: what a client may count on. */
  idleMs: number;
  /** Kept open this much longer than announced, for answers still in transit and a busy loop. */
  graceMs: number;
}

export const DEFAULT_KEEP_ALIVE: KeepAliveLimits = { idleMs: 5_000, graceMs: 15_000 };

/** HTTP_KEEP_ALIVE_TIMEOUT_MS (announced; raise it above a reverse proxy's idle timeout) and HTTP_KEEP_ALIVE_GRACE_MS. */
export function keepAliveLimits(env: NodeJS.ProcessEnv = process.env): KeepAliveLimits {
  return {
    idleMs: readIntegerEnv(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 1000) ?? DEFAULT_KEEP_ALIVE.idleMs,
    graceMs: readIntegerEnv(env, 'HTTP_KEEP_ALIVE_GRACE_MS', 0) ?? DEFAULT_KEEP_ALIVE.graceMs,
  };
}

export function applyKeepAlive(server: Server, limits: KeepAliveLimits): void {
  server.keepAliveTimeout = limits.idleMs;
  const state = new WeakMap<Socket, 'busy' | 'idle' | 'grace'>();
  server.on('request', (req, res) => {
    state.set(req.socket, 'busy');
    res.once('finish', () => state.set(req.socket, 'idle'));
  });
  // With a listener here, Node leaves the timed-out socket to it instead of destroying it.
  server.on('timeout', (socket: Socket) => {
    const now = state.get(socket);
    if (now === 'idle' && limits.graceMs > 0) {
      state.set(socket, 'grace');
      socket.setTimeout(limits.graceMs);
    } else {
      socket.destroy(); // the grace is over, or any other timeout: what Node does without a listener
    }
  });
}
