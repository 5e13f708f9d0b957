import https from "node:https";
import tls from "node:tls";

export interface VcfTlsOptions {
  /** extra trusted CA certificate(s), PEM; trusted in addition to the system CAs */
  ca?: string;
  /** turn certificate verification off (lab use only; logged as a warning) */
  allowSelfSigned?: boolean;
}

type WarnLog = (text: string) => void;

/** One PEM certificate block (BEGIN/END lines included); what every CA field must contain. */
export const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The HTTPS agent for the client's settings: system CAs by default, plus a custom CA, or no checks on opt-in. */
export function createHttpsAgent(options: VcfTlsOptions | undefined, warn: WarnLog): https.Agent {
  if (options?.allowSelfSigned) {
    warn("TLS certificate verification is disabled (tls.allowSelfSigned); use only in a lab, or set tls.ca instead");
    return new https.Agent({ rejectUnauthorized: false, keepAlive: false });
  }
  if (options?.ca !== undefined) {
    if (!PEM_CERTIFICATE.test(options.ca)) {
      throw new Error(
        'VcfClient option "tls.ca" must be a PEM certificate ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----"); paste the SDDC Manager\'s CA certificate there',
      );
    }
    return new https.Agent({ ca: [...tls.rootCertificates, options.ca], keepAlive: false });
  }
  return new https.Agent({ keepAlive: false });
}
