// The editor's "Test connection" button: log in with the form's values and read the SDDC Manager version.
// The answer is {ok, version, fqdn} or {ok:false, error}; it never contains the username or password.
// The stored credentials are used only for the deployed URL and TLS settings: posting another URL must not
// hand them to that host.
import { VcfClient } from "../vcf/client";
import { buildClientOptions, type Credentials } from "./client-options";
import { parseConnection, sameOrigin, type ConnectionSettings, type VcfConfigDef } from "./config-settings";
import { describeError } from "./errors";
import { t } from "./i18n";

/** What the editor shows for an untouched password field (Node-RED never sends stored passwords back). */
export const PASSWORD_PLACEHOLDER = "__PWRD__";
const TEST_TIMEOUT_MS = 15_000;

export interface TestResult {
  ok: boolean;
  version?: string;
  fqdn?: string;
  error?: string;
}

/** The deployed vcf-config node: its parsed settings and stored credentials. */
export interface DeployedConnection {
  settings: ConnectionSettings;
  credentials: Credentials;
}

export interface TestDeps {
  /** The deployed vcf-config node with this id; undefined when it is not deployed (or its settings are invalid). */
  deployed: (id: string) => DeployedConnection | undefined;
  lookupNode: (id: string) => unknown;
}

export async function testConnection(id: string, body: unknown, deps: TestDeps): Promise<TestResult> {
  try {
    const form = formValues(body);
    const def: VcfConfigDef = {
      id,
      type: "vcf-config",
      url: form.url,
      tlsMode: form.tlsMode,
      ca: form.ca,
      tls: form.tls,
    };
    const connection = parseConnection(def);
    connection.requestTimeoutMs = Math.min(connection.requestTimeoutMs, TEST_TIMEOUT_MS);
    connection.retry.maxAttempts = 1;
    const credentials = formCredentials(form, connection, deps.deployed(id));
    const client = new VcfClient(buildClientOptions(connection, credentials, deps.lookupNode));
    const [manager] = await client.getSddcManagers().finally(() => client.close());
    if (!manager) return { ok: false, error: t("vcf-config.errors.noSddcManager") };
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
  const text = (key: string): string | undefined => (typeof source[key] === "string" ? source[key] : undefined);
  return {
    url: text("url"),
    tlsMode: text("tlsMode"),
    ca: text("ca"),
    tls: text("tls"),
    username: text("username"),
    password: text("password"),
  };
}

/**
 * The form's credentials. An empty or untouched field falls back to the deployed node's, but only when the form
 * tests the deployed URL and TLS settings, and the stored password only for the stored username.
 */
function formCredentials(
  form: Credentials,
  tested: ConnectionSettings,
  deployed: DeployedConnection | undefined,
): Credentials {
  const typedPassword = form.password && form.password !== PASSWORD_PLACEHOLDER ? form.password : undefined;
  const typedUsername = form.username?.trim() ? form.username : undefined;
  if (typedPassword && typedUsername) return { username: typedUsername, password: typedPassword };
  if (!deployed) return { username: typedUsername, password: typedPassword };
  if (!sameEndpoint(deployed.settings, tested)) {
    throw new Error(t("vcf-config.errors.testOtherSettings"));
  }
  if (!typedPassword && typedUsername !== undefined && typedUsername !== deployed.credentials.username) {
    throw new Error(t("vcf-config.errors.testOtherUser"));
  }
  return {
    username: typedUsername ?? deployed.credentials.username,
    password: typedPassword ?? deployed.credentials.password,
  };
}

/** Same scheme, host and port, and the same TLS choice and trust. */
function sameEndpoint(a: ConnectionSettings, b: ConnectionSettings): boolean {
  return (
    sameOrigin(a.baseUrl, b.baseUrl) &&
    a.tlsMode === b.tlsMode &&
    (a.ca ?? "") === (b.ca ?? "") &&
    (a.tlsConfigId ?? "") === (b.tlsConfigId ?? "")
  );
}
