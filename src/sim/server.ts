import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

/** The HTTP(S) listener; HTTPS uses a self-signed certificate generated at start. */

export interface Listener {
  server: Server;
  port: number;
  caCertificatePem?: string;
  close(): Promise<void>;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function listen(host: string, port: number, tls: boolean, handler: RequestHandler): Promise<Listener> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end();
    });
  };
  let server: Server;
  let caCertificatePem: string | undefined;
  if (tls) {
    const pems = await selfSignedCertificate(host);
    caCertificatePem = pems.cert;
    server = createHttpsServer({ key: pems.private, cert: pems.cert }, onRequest);
  } else {
    server = createHttpServer(onRequest);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    caCertificatePem,
    // Idempotent: a second stop() waits for the first.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function selfSignedCertificate(host: string): Promise<{ private: string; cert: string }> {
  const isIp = /^[0-9.]+$|:/.test(host);
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: "localhost" },
    { type: 7, ip: "127.0.0.1" },
    { type: 7, ip: "::1" },
  ];
  if (host !== "localhost" && host !== "127.0.0.1" && host !== "::1" && host !== "0.0.0.0")
    altNames.push(isIp ? { type: 7, ip: host } : { type: 2, value: host });
  return generate([{ name: "commonName", value: "vcf-sim.local" }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
}
