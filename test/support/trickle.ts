// A server answer that never ends: the headers at once, then one byte every `everyMs` ms, until the client gives up
// (or the server stops). A socket idle timeout never fires on it; only a total time limit ends the request.
import type http from "node:http";

export const TRICKLE_EVERY_MS = 100;

export function trickle(res: http.ServerResponse, everyMs = TRICKLE_EVERY_MS): void {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.write("{");
  const timer = setInterval(() => res.write(" "), everyMs);
  res.on("close", () => clearInterval(timer));
}

/** Rejects when `work` has not settled within `ms` (a generous upper bound, not a measurement). */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
