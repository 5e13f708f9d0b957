// The editor's "Test connection" button: log in with the form's values and read the SDDC Manager version.
// The answer is {ok, version, fqdn} or {ok:false, error}; it never contains the username or password.
import { VcfClient } from "../vcf/client";
import { buildClientOptions, type Credentials } from "./client-options";
import { parseConnection, type VcfConfigDef } from "./config-settings";
import { describeError } from "./errors";

/** What the editor shows for an untouched password field (Node-RED never sends stored passwords back). */
export const PASSWORD_PLACEHOLDER = "__PWRD__";
const TEST_TIMEOUT_MS = 15_000;

export interface TestResult {
  ok: boolean;
  version?: string;
  fqdn?: string;
  error?: string;
}

export interface TestDeps {
  /** The stored credentials of the deployed vcf-config node with this id, if any. */
  storedCredentials: (id: string) => Credentials | undefined;
  lookupNode: (id: string) => unknown;
}

export async function testConnection(id: string, body: unknown, deps: TestDeps): Promise<TestResult> {
  try {
    const form = formValues(body);
    const def: VcfConfigDef = { id, type: "vcf-config", url: form.url, tlsMode: form.tlsMode, ca: form.ca, tls: form.tls };
    const connection = parseConnection(def);
    connection.requestTimeoutMs = Math.min(connection.requestTimeoutMs, TEST_TIMEOUT_MS);
    connection.retry.maxAttempts = 1;
    const client = new VcfClient(buildClientOptions(connection, withStoredFallback(form, deps.storedCredentials(id)), deps.lookupNode));
    const [manager] = await client.getSddcManagers();
    if (!manager) return { ok: false, error: "SDDC Manager answered but listed no SDDC Manager (GET /v1/sddc-managers was empty)" };
    return { ok: true, version: manager.version, fqdn: manager.fqdn };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

interface FormValues extends Credentials {
  url?: string;
  tlsMode?: string;
  ca?: string;
  tls?: string;
}

function formValues(body: unknown): FormValues {
  const source = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const text = (key: string): string | undefined => (typeof source[key] === "string" ? (source[key] as string) : undefined);
  return {
    url: text("url"), tlsMode: text("tlsMode"), ca: text("ca"), tls: text("tls"),
    username: text("username"), password: text("password"),
  };
}

/** The form's credentials, where an empty or untouched field falls back to the deployed node's. */
function withStoredFallback(form: Credentials, stored: Credentials | undefined): Credentials {
  const password = form.password && form.password !== PASSWORD_PLACEHOLDER ? form.password : stored?.password;
  const username = form.username?.trim() ? form.username : stored?.username;
  return { username, password };
}
