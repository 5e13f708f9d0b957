import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import type { ClientWarning } from "./warnings";

export interface VcfTlsOptions {
  /** extra trusted CA certificate(s), PEM; trusted in addition to the system CAs */
  ca?: string;
  /** turn certificate verification off (lab use only; logged as a warning) */
  allowSelfSigned?: boolean;
}

type WarnLog = (text: string, warning: ClientWarning) => void;

/** One PEM certificate block (BEGIN/END lines included); what every CA field must contain. */
const PEM_CERTIFICATES = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * What is wrong with a CA field, undefined when it holds at least one certificate block and every block is a
 * certificate (parsed, so garbage between BEGIN/END lines is found now, not later as "not trusted").
 */
export function caCertificateProblem(pem: string): string | undefined {
  const blocks = pem.match(PEM_CERTIFICATES) ?? [];
  if (blocks.length === 0)
    return 'it holds no PEM certificate ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----")';
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      const which = blocks.length > 1 ? `certificate ${index + 1} of ${blocks.length}` : "the certificate";
      return `${which} between the BEGIN/END CERTIFICATE lines cannot be read (not a certificate, or damaged when copied)`;
    }
  }
  return undefined;
}

/** What every TLS connection of one client uses: built once, so no connection parses the root store again. */
export interface TlsSetup {
  secureContext: tls.SecureContext;
  rejectUnauthorized: boolean;
}

/**
 * Checks the TLS options (a CA that is not a certificate is refused here, naming the field) and, for an https URL, builds
 * the client's one secure context: system CAs by default, plus a custom CA, or no checks on the explicit opt-in.
 */
export function createTlsSetup(
  options: VcfTlsOptions | undefined,
  https: boolean,
  warn: WarnLog,
): TlsSetup | undefined {
  if (options?.allowSelfSigned) {
    warn("TLS certificate verification is disabled (tls.allowSelfSigned); use only in a lab, or set tls.ca instead", {
      code: "TLS_UNVERIFIED",
    });
    return https ? { secureContext: tls.createSecureContext(), rejectUnauthorized: false } : undefined;
  }
  if (options?.ca !== undefined) {
    const problem = caCertificateProblem(options.ca);
    if (problem) {
      throw new Error(
        `VcfClient option "tls.ca" must be a PEM certificate, but ${problem}; paste the SDDC Manager's CA certificate there`,
      );
    }
    return https
      ? {
          secureContext: tls.createSecureContext({ ca: [...tls.rootCertificates, options.ca] }),
          rejectUnauthorized: true,
        }
      : undefined;
  }
  return https ? { secureContext: tls.createSecureContext(), rejectUnauthorized: true } : undefined;
}
