import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  /**
   * A client that takes none of an answer's bytes for this long is disconnected, and the answer's memory
   * freed (0: never). The request gate gives a place back once the answer is built, so a stalled reader
   * costs memory, not a place: this bounds how long. Suppressed while bytes move, however slowly.
   */
  sendTimeoutMs?: number;
}

export const DEFAULT_KEEP_ALIVE = { idleMs: 5_000, graceMs: 15_000, sendTimeoutMs: 30_000 } satisfies KeepAliveLimits;

/** HTTP_KEEP_ALIVE_TIMEOUT_MS (announced; raise it above a reverse proxy's idle timeout), HTTP_KEEP_ALIVE_GRACE_MS, HTTP_SEND_TIMEOUT_MS. */
export function keepAliveLimits(env: NodeJS.ProcessEnv = process.env): KeepAliveLimits {
  return {
    idleMs: readIntegerEnv(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 1000) ?? DEFAULT_KEEP_ALIVE.idleMs,
    graceMs: readIntegerEnv(env, 'HTTP_KEEP_ALIVE_GRACE_MS', 0) ?? DEFAULT_KEEP_ALIVE.graceMs,
    sendTimeoutMs: readIntegerEnv(env, 'HTTP_SEND_TIMEOUT_MS', 0) ?? DEFAULT_KEEP_ALIVE.sendTimeoutMs,
  };
}

interface SocketState {
  phase: 'busy' | 'idle' | 'grace';
  res: ServerResponse;
}

export function applyKeepAlive(server: Server, limits: KeepAliveLimits): void {
  server.keepAliveTimeout = limits.idleMs;
  const sendTimeoutMs = limits.sendTimeoutMs ?? DEFAULT_KEEP_ALIVE.sendTimeoutMs;
  // Node arms a socket's timer with this on connection and again when a kept-alive socket gets its next
  // request; it fires after that long without a byte read or written (a write in progress postpones it).
  server.timeout = sendTimeoutMs;
  const state = new WeakMap<Socket, SocketState>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socketState: SocketState = { phase: 'busy', res };
    state.set(req.socket, socketState);
    res.once('finish', () => (socketState.phase = 'idle'));
  });
  // With a listener here, Node leaves the timed-out socket to it instead of destroying it.
  server.on('timeout', (socket: Socket) => {
    const now = state.get(socket);
    if (now?.phase === 'idle' && limits.graceMs > 0) {
      now.phase = 'grace';
      socket.setTimeout(limits.graceMs);
    } else if (now?.phase === 'busy' && now.res.writableLength === 0) {
      // Nothing waits to be sent: the server is still at work (a long query, an upload's pipeline), not the client.
      socket.setTimeout(sendTimeoutMs);
    } else {
      // The grace is over, a client took nothing of its answer for sendTimeoutMs, or a connection sent no
      // request in that time: what Node does without a listener.
      socket.destroy();
    }
  });
}
