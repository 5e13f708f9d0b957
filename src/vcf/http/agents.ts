import http from "node:http";
import https from "node:https";
import type { TlsSetup } from "../tls";

/**
 * How long an idle kept-alive connection is kept. Servers that announce their own limit (`Keep-Alive: timeout=N`) get
 * theirs minus a second; others (nginx: 75 s) close later than this, so a reused socket is rarely one the server
 * closed, and a GET on such a socket is retried anyway.
 */
export const IDLE_SOCKET_MS = 10_000;

/**
 * The connections of one client, all on its one TLS context. Reads (GET) share kept-alive connections (at most
 * `maxSockets`); a read that meets a connection the server has just closed is retried like any dropped connection.
 * Every other request (writes, token calls) gets a connection of its own: a write that failed on such a connection
 * could not be told from one whose answer was lost, and is never sent twice; a failed login would fail the call.
 */
export class ConnectionAgents {
  private readonly shared: http.Agent;
  private readonly single: http.Agent;

  /** @param tls the TLS setup for an https URL; undefined for http */
  constructor(tls: TlsSetup | undefined, maxSockets: number) {
    const make = (keepAlive: boolean): http.Agent => {
      const options = keepAlive
        ? { keepAlive, maxSockets, maxFreeSockets: maxSockets, timeout: IDLE_SOCKET_MS, scheduling: "lifo" as const }
        : { keepAlive };
      return tls ? new https.Agent({ ...options, ...tls }) : new http.Agent(options);
    };
    this.shared = make(true);
    this.single = make(false);
  }

  agentFor(method: string): http.Agent {
    return method === "GET" ? this.shared : this.single;
  }

  /** Closes every connection, idle or busy; requests still running fail. */
  destroy(): void {
    this.shared.destroy();
    this.single.destroy();
  }
}
