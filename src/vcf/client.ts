import { checkDomain, pageElements } from "./answer-shape";
import type { TokenTicket } from "./auth/token-manager";
import { TokenManager } from "./auth/token-manager";
import { VcfApiError } from "./errors";
import { parseBody } from "./http/body";
import { ConnectionAgents } from "./http/agents";
import { errorFromResponse } from "./http/error-mapping";
import { RequestLimiter } from "./http/limiter";
import type { RetrySettings } from "./http/retry";
import { abortableDelay, abortedError, backoffDelayMs, DEFAULT_RETRY } from "./http/retry";
import type { HttpMethod, HttpRequest, HttpResponse } from "./http/transport";
import { HttpTransport } from "./http/transport";
import { SecretScrubber } from "./secrets";
import type { VcfTlsOptions } from "./tls";
import { createTlsSetup } from "./tls";
import type { ClientWarning } from "./warnings";
import type {
  AssessmentOutput,
  AssessmentTaskInfo,
  BackupConfiguration,
  BackupTask,
  Bundle,
  BundleDownloadStatusInfo,
  DepotSyncInfo,
  UpgradePreview,
  Cluster,
  Certificate,
  BundleFilter,
  CheckSetQueryInput,
  CheckSetQueryResult,
  CheckSetRunInput,
  CredentialsExpiration,
  CredentialsExpirationSpec,
  DepotSettings,
  Domain,
  DomainFutureRelease,
  DomainRelease,
  DomainReleaseView,
  NsxtResources,
  Page,
  Personality,
  PersonalityFilter,
  Release,
  SddcManager,
  Task,
  TaskFilter,
  Upgradable,
  UpgradablesClusterResource,
  Upgrade,
  UpgradeCommitSpec,
  UpgradeFilter,
  UpgradeSpec,
  Validation,
} from "./types";

export type VcfLogLevel = "debug" | "info" | "warn";

export interface VcfClientOptions {
  /** e.g. https://sddc-manager.example.com (paths /v1/... are appended) */
  baseUrl: string;
  username: string;
  password: string;
  tls?: VcfTlsOptions;
  /** total time of one attempt (headers and body); default 30000, at most MAX_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number;
  /** GETs only; POST and PATCH are never repeated */
  retry?: Partial<RetrySettings>;
  /** refresh this long before expiry (default 5 min, capped at half the lifetime) */
  tokenRefreshMarginMs?: number;
  /** never receives secrets; `code` names a warning a caller may word itself */
  log?: (level: VcfLogLevel, text: string, warning?: ClientWarning) => void;
  /**
   * The clock token lifetimes are measured on, in epoch ms (default Date.now). Tests that drive a
   * time-scaled simulator pass a clock that advances with it.
   */
  now?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** One API call never needs longer; SDDC Manager answers in seconds, its largest lists well under a minute. */
export const MAX_REQUEST_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
/** A safety stop for lists whose pageMetadata never ends. */
const MAX_PAGES = 1000;
/**
 * Requests one client has in flight at most (token calls included); the rest wait their turn. SDDC Manager is one
 * appliance: a burst of one request per domain slowed every answer until tokens expired on the way.
 */
export const MAX_REQUESTS_IN_FLIGHT = 6;

type Query = Record<string, string | undefined>;

/** The SDDC Manager REST API (VCF 5.2) as typed functions: auth, TLS, retries and errors handled inside. */
export class VcfClient {
  private readonly transport: HttpTransport;
  private readonly slots = new RequestLimiter(MAX_REQUESTS_IN_FLIGHT);
  private readonly tokens: TokenManager;
  private readonly retry: RetrySettings;
  private readonly scrubber = new SecretScrubber();
  private readonly log: (level: VcfLogLevel, text: string, warning?: ClientWarning) => void;

  constructor(options: VcfClientOptions) {
    const settings = validateOptions(options);
    const sink = options.log;
    this.log = (level, text, warning) => sink?.(level, this.scrubber.scrub(text), warning);
    this.retry = settings.retry;
    const tls = createTlsSetup(options.tls, settings.baseUrl.startsWith("https:"), (text, warning) =>
      this.log("warn", text, warning),
    );
    this.transport = new HttpTransport({
      baseUrl: settings.baseUrl,
      timeoutMs: settings.timeoutMs,
      agents: new ConnectionAgents(tls, MAX_REQUESTS_IN_FLIGHT),
    });
    this.tokens = new TokenManager({
      // token renewals go first: every queued request waits for them
      send: (request) => this.slots.run(() => this.transport.send(request), { first: true }),
      baseUrl: withoutUserInfo(settings.baseUrl),
      username: options.username,
      password: options.password,
      refreshMarginMs: settings.refreshMarginMs,
      now: options.now ?? Date.now,
      scrubber: this.scrubber,
      log: this.log,
    });
  }

  // ---- session ----

  /** POST /v1/tokens: a fresh login (joins a token renewal already in flight instead of racing it). */
  async login(o?: CallOptions): Promise<void> {
    await this.guard(this.tokens.login(o?.signal), "POST", "/v1/tokens");
    this.log("info", "logged in to SDDC Manager");
  }

  /** Forget the tokens, e.g. after SDDC Manager's own upgrade; the next call logs in again. */
  invalidateSession(): void {
    this.tokens.invalidate();
  }

  /** Closes the client's connections (the owner is done with it); calls still running fail. */
  close(): void {
    this.transport.close();
  }

  // ---- discovery (UPGRADE-API.md §2) ----

  async getDomains(o?: CallOptions): Promise<Domain[]> {
    const domains = await this.getAll<unknown>("/v1/domains", undefined, o);
    return domains.map((d, i) => checkDomain(d, "GET", "/v1/domains", `domain ${i + 1} of ${domains.length}`));
  }

  async getDomain(id: string, o?: CallOptions): Promise<Domain> {
    const path = `/v1/domains/${seg(id)}`;
    return checkDomain(await this.getJson<unknown>(path, undefined, o), "GET", path);
  }

  /** GET /v1/releases?domainId=: the domain's current release (elements[0]). */
  async getCurrentRelease(domainId: string, o?: CallOptions): Promise<Release | undefined> {
    const page = await this.getJson<Page<Release>>("/v1/releases", { domainId }, o);
    return pageElements<Release>(page, "GET", "/v1/releases")[0];
  }

  getFutureReleases(domainId: string, o?: CallOptions): Promise<DomainFutureRelease[]> {
    return this.getAll<DomainFutureRelease>(`/v1/releases/domains/${seg(domainId)}/future-releases`, undefined, o);
  }

  /** GET /v1/clusters?domainId=: the domain's clusters with their hosts. */
  getClusters(domainId: string, o?: CallOptions): Promise<Cluster[]> {
    return this.getAll<Cluster>("/v1/clusters", { domainId }, o);
  }

  getSddcManagers(o?: CallOptions): Promise<SddcManager[]> {
    return this.getAll<SddcManager>("/v1/sddc-managers", undefined, o);
  }

  // ---- bundles (§3) ----

  getBundles(filter?: BundleFilter, o?: CallOptions): Promise<Bundle[]> {
    return this.getAll<Bundle>("/v1/bundles", { productType: filter?.productType, bundleType: filter?.bundleType }, o);
  }

  getBundle(id: string, o?: CallOptions): Promise<Bundle> {
    return this.getJson<Bundle>(`/v1/bundles/${seg(id)}`, undefined, o);
  }

  /** PATCH /v1/bundles/{id} with the nested download spec. A repeat answers 409 (VcfApiError status 409). */
  requestBundleDownload(id: string, o?: CallOptions): Promise<Task> {
    return this.sendJson<Task>("PATCH", `/v1/bundles/${seg(id)}`, { bundleDownloadSpec: { downloadNow: true } }, o);
  }

  /** PATCH /v1/bundles/{id} with cancelNow: stops a scheduled or running download. Never repeated by the client. */
  cancelBundleDownload(id: string, o?: CallOptions): Promise<Task> {
    return this.sendJson<Task>("PATCH", `/v1/bundles/${seg(id)}`, { bundleDownloadSpec: { cancelNow: true } }, o);
  }

  // ---- target version (§4) and validations (§7) ----

  getDomainReleaseView(domainId: string, o?: CallOptions): Promise<DomainReleaseView> {
    return this.getJson<DomainReleaseView>(`/v1/releases/domains/${seg(domainId)}`, undefined, o);
  }

  /** PATCH /v1/releases/domains/{id}; the answer is an empty 200. */
  async setTargetVersion(domainId: string, release: DomainRelease, o?: CallOptions): Promise<void> {
    await this.call({ method: "PATCH", path: `/v1/releases/domains/${seg(domainId)}`, json: release }, o);
  }

  /** POST /v1/releases/domains/{id}/validations (202, normally executionStatus IN_PROGRESS). */
  startValidation(domainId: string, release: DomainRelease, o?: CallOptions): Promise<Validation> {
    return this.sendJson<Validation>("POST", `/v1/releases/domains/${seg(domainId)}/validations`, release, o);
  }

  getValidation(validationId: string, o?: CallOptions): Promise<Validation> {
    return this.getJson<Validation>(`/v1/releases/domains/validations/${seg(validationId)}`, undefined, o);
  }

  // ---- prechecks via check-sets (§5) ----

  /** POST /v1/system/check-sets/queries (a POST, not a GET). */
  queryCheckSets(input: CheckSetQueryInput, o?: CallOptions): Promise<CheckSetQueryResult> {
    return this.sendJson<CheckSetQueryResult>("POST", "/v1/system/check-sets/queries", input, o);
  }

  /** POST /v1/system/check-sets; the returned Task's id is the run id. */
  startCheckSetRun(input: CheckSetRunInput, o?: CallOptions): Promise<Task> {
    return this.sendJson<Task>("POST", "/v1/system/check-sets", input, o);
  }

  getCheckSetRun(runId: string, o?: CallOptions): Promise<AssessmentOutput> {
    return this.getJson<AssessmentOutput>(`/v1/system/check-sets/${seg(runId)}`, undefined, o);
  }

  /** GET /v1/system/check-sets?domainId= (a plain array, not a page). */
  async listCheckSetRuns(domainId: string, o?: CallOptions): Promise<AssessmentTaskInfo[]> {
    const body = await this.getJson<unknown>("/v1/system/check-sets", { domainId }, o);
    return Array.isArray(body)
      ? (body as AssessmentTaskInfo[])
      : pageElements<AssessmentTaskInfo>(body, "GET", "/v1/system/check-sets");
  }

  // ---- upgradables and upgrades (§6) ----

  getUpgradables(domainId: string, targetVersion: string | undefined, o?: CallOptions): Promise<Upgradable[]> {
    return this.getAll<Upgradable>(`/v1/upgradables/domains/${seg(domainId)}`, { targetVersion }, o);
  }

  getSystemUpgradables(o?: CallOptions): Promise<Upgradable[]> {
    return this.getAll<Upgradable>("/v1/system/upgradables", undefined, o);
  }

  getNsxtResources(domainId: string, bundleId: string, o?: CallOptions): Promise<NsxtResources> {
    return this.getJson<NsxtResources>(`/v1/upgradables/domains/${seg(domainId)}/nsxt`, { bundleId }, o);
  }

  getUpgradableClusters(domainId: string, o?: CallOptions): Promise<UpgradablesClusterResource[]> {
    return this.getAll<UpgradablesClusterResource>(`/v1/upgradables/domains/${seg(domainId)}/clusters`, undefined, o);
  }

  getPersonalities(filter?: PersonalityFilter, o?: CallOptions): Promise<Personality[]> {
    return this.getAll<Personality>("/v1/personalities", { ...filter }, o);
  }

  /** POST /v1/upgrades; the Task's id is the upgrade id. Never repeated by the client. */
  startUpgrade(spec: UpgradeSpec, o?: CallOptions): Promise<Task> {
    return this.sendJson<Task>("POST", "/v1/upgrades", spec, o);
  }

  getUpgrade(id: string, o?: CallOptions): Promise<Upgrade> {
    return this.getJson<Upgrade>(`/v1/upgrades/${seg(id)}`, undefined, o);
  }

  /** PATCH /v1/upgrades/{id} with markForCancellation (UpgradeCommitSpec): SDDC Manager answers with the Upgrade. */
  cancelUpgrade(id: string, o?: CallOptions): Promise<Upgrade> {
    return this.sendJson<Upgrade>("PATCH", `/v1/upgrades/${seg(id)}`, { markForCancellation: true }, o);
  }

  /** PATCH /v1/upgrades/{id} with a start time or upgradeNow (UpgradeCommitSpec): commits or reschedules it. */
  rescheduleUpgrade(id: string, spec: UpgradeCommitSpec, o?: CallOptions): Promise<Upgrade> {
    return this.sendJson<Upgrade>("PATCH", `/v1/upgrades/${seg(id)}`, spec, o);
  }

  listUpgrades(filter?: UpgradeFilter, o?: CallOptions): Promise<Upgrade[]> {
    return this.getAll<Upgrade>(
      "/v1/upgrades",
      { status: filter?.status, bundleId: filter?.bundleId, bundleType: filter?.bundleType },
      o,
    );
  }

  // ---- tasks (§8) ----

  getTask(id: string, o?: CallOptions): Promise<Task> {
    return this.getJson<Task>(`/v1/tasks/${seg(id)}`, undefined, o);
  }

  /** PATCH /v1/tasks/{id}, no body: SDDC Manager retries a FAILED task (409 otherwise). Never repeated by the client. */
  async retryTask(id: string, o?: CallOptions): Promise<void> {
    await this.call({ method: "PATCH", path: `/v1/tasks/${seg(id)}` }, o);
  }

  /** GET /v1/tasks with filters, every page. */
  listTasks(filter: TaskFilter, o?: CallOptions): Promise<Task[]> {
    return this.getAll<Task>("/v1/tasks", { ...filter }, o);
  }

  // ---- readiness (§14.1, §14.2) ----

  getBackupConfiguration(o?: CallOptions): Promise<BackupConfiguration> {
    return this.getJson<BackupConfiguration>("/v1/system/backup-configuration", undefined, o);
  }

  /** POST /v1/backups/tasks for SDDC Manager; follow the answer's id with getTask. Never repeated by the client. */
  startSddcManagerBackup(o?: CallOptions): Promise<BackupTask> {
    return this.sendJson<BackupTask>("POST", "/v1/backups/tasks", { elements: [{ resourceType: "SDDC_MANAGER" }] }, o);
  }

  /** POST /v1/credentials/expirations: a query (it changes no password); poll getCredentialsExpiration. */
  startCredentialsExpiration(spec: CredentialsExpirationSpec, o?: CallOptions): Promise<CredentialsExpiration> {
    return this.sendJson<CredentialsExpiration>("POST", "/v1/credentials/expirations", spec, o);
  }

  getCredentialsExpiration(id: string, o?: CallOptions): Promise<CredentialsExpiration> {
    return this.getJson<CredentialsExpiration>(`/v1/credentials/expirations/${seg(id)}`, undefined, o);
  }

  getDomainCertificates(domainId: string, o?: CallOptions): Promise<Certificate[]> {
    return this.getAll<Certificate>(`/v1/domains/${seg(domainId)}/certificates`, undefined, o);
  }

  getDepotSettings(o?: CallOptions): Promise<DepotSettings> {
    return this.getJson<DepotSettings>("/v1/system/settings/depot", undefined, o);
  }

  // ---- 9.0 only (UPGRADE-API.md §15): ask only a server whose generation is 9.0 (see generation.ts) ----

  /** What an upgrade of the bundle would touch in the domain. */
  getUpgradePreview(bundleId: string, domainId: string, o?: CallOptions): Promise<UpgradePreview> {
    return this.getJson<UpgradePreview>("/v1/upgrades/preview", { bundleId, domainId }, o);
  }

  /** Every bundle's download state in one list; `releaseVersion` narrows it to one release's bundles. */
  getBundleDownloadStatus(releaseVersion: string, o?: CallOptions): Promise<BundleDownloadStatusInfo[]> {
    return this.getAll<BundleDownloadStatusInfo>("/v1/bundles/download-status", { releaseVersion }, o);
  }

  getDepotSyncInfo(o?: CallOptions): Promise<DepotSyncInfo> {
    return this.getJson<DepotSyncInfo>("/v1/system/settings/depot/depot-sync-info", undefined, o);
  }

  // ---- plumbing ----

  private async getJson<T>(path: string, query: Query | undefined, o: CallOptions | undefined): Promise<T> {
    return this.jsonOf<T>(await this.call({ method: "GET", path, query }, o), "GET", path);
  }

  private async sendJson<T>(method: HttpMethod, path: string, body: unknown, o: CallOptions | undefined): Promise<T> {
    return this.jsonOf<T>(await this.call({ method, path, json: body }, o), method, path);
  }

  /** Every element of a list, following pageMetadata.totalPages with ?pageNumber= when the server pages. */
  private async getAll<T>(path: string, query: Query | undefined, o: CallOptions | undefined): Promise<T[]> {
    const first = await this.getJson<Page<T>>(path, query, o);
    const elements = [...pageElements<T>(first, "GET", path)];
    const totalPages = first.pageMetadata?.totalPages ?? 1;
    const firstNumber = first.pageMetadata?.pageNumber ?? 0;
    for (let index = 1; index < Math.min(totalPages, MAX_PAGES); index++) {
      const page = await this.getJson<Page<T>>(path, { ...query, pageNumber: String(firstNumber + index) }, o);
      const more = pageElements<T>(page, "GET", path);
      if (more.length === 0) break;
      elements.push(...more);
    }
    return elements;
  }

  private jsonOf<T>(response: HttpResponse, method: string, path: string): T {
    const body = parseBody(response.text, response.contentType);
    if (body.kind === "json") return body.value as T;
    throw new VcfApiError({
      kind: "http",
      method,
      path,
      status: response.status,
      retryable: false,
      message: `HTTP ${response.status} answered with ${body.kind === "empty" ? "an empty body" : "a non-JSON body"} where JSON was expected`,
    });
  }

  /** One API call: token, one renewal + replay on 401, GET retries with backoff; errors scrubbed. */
  private call(
    request: Omit<HttpRequest, "bearerToken" | "signal">,
    o: CallOptions | undefined,
  ): Promise<HttpResponse> {
    return this.guard(this.withRetries({ ...request, signal: o?.signal }), request.method, request.path);
  }

  private async withRetries(request: HttpRequest): Promise<HttpResponse> {
    const retries = request.method === "GET" ? this.retry.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.authorized(request);
      } catch (error: unknown) {
        if (!(error instanceof VcfApiError) || !error.retryable || request.method !== "GET" || attempt >= retries)
          throw error;
        const delay = backoffDelayMs(attempt, this.retry);
        this.log(
          "info",
          `${request.method} ${request.path} failed (${error.message}); attempt ${attempt + 1} of ${retries} in ${delay} ms`,
        );
        await abortableDelay(delay, request.signal, () => abortedError(request.method, request.path));
      }
    }
  }

  private async authorized(request: HttpRequest): Promise<HttpResponse> {
    const first = await this.sendWithToken(request);
    if (first.response.status !== 401) return this.ensureOk(request, first.response);
    this.log("info", `${request.method} ${request.path} answered 401; renewing the token and replaying once`);
    await this.tokens.renewAfterUnauthorized(first.ticket, request.signal);
    const { response: replay } = await this.sendWithToken(request);
    if (replay.status === 401) {
      throw errorFromResponse(request, replay.status, replay.statusText, replay.contentType, replay.text, "auth");
    }
    return this.ensureOk(request, replay);
  }

  /**
   * Sends once a request slot is free, with the token current at that moment: a token fetched before a long wait for
   * the slot may be due for refresh by then, and is then renewed once more before sending.
   */
  private async sendWithToken(request: HttpRequest): Promise<{ response: HttpResponse; ticket: TokenTicket }> {
    for (let turn = 1; ; turn++) {
      const fetched = await this.tokens.validToken(request.signal);
      const sent = await this.slots.run(
        async () => {
          const ticket = this.tokens.current() ?? (turn > 1 ? fetched : undefined);
          if (!ticket) return undefined;
          return { response: await this.exchange({ ...request, bearerToken: ticket.token }), ticket };
        },
        { signal: request.signal, abortReason: () => abortedError(request.method, request.path) },
      );
      if (sent) return sent;
    }
  }

  private async exchange(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.transport.send(request);
    this.log("debug", `${request.method} ${request.path} -> ${response.status}`);
    return response;
  }

  private ensureOk(request: HttpRequest, response: HttpResponse): HttpResponse {
    if (response.status >= 200 && response.status <= 299) return response;
    throw errorFromResponse(request, response.status, response.statusText, response.contentType, response.text);
  }

  /** Every error leaving the client is a VcfApiError with secrets masked; anything else is wrapped. */
  private async guard<T>(work: Promise<T>, method: string, path: string): Promise<T> {
    try {
      return await work;
    } catch (error: unknown) {
      throw this.scrubbed(error, method, path);
    }
  }

  private scrubbed(error: unknown, method: string, path: string): VcfApiError {
    if (!(error instanceof VcfApiError)) {
      const text = error instanceof Error ? error.message : "unknown failure";
      return new VcfApiError({
        kind: "network",
        method,
        path,
        retryable: false,
        message: this.scrubber.scrub(`unexpected client failure: ${text}`),
      });
    }
    const prefix = `${error.method} ${error.path}: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return new VcfApiError({
      kind: error.kind,
      method: error.method,
      path: error.path,
      status: error.status,
      errorCode: error.errorCode,
      code: error.code,
      retryable: error.retryable,
      message: this.scrubber.scrub(detail),
      remediationMessage:
        error.remediationMessage === undefined ? undefined : this.scrubber.scrub(error.remediationMessage),
    });
  }
}

/** The URL as it may appear in a message (no user:password@). */
function withoutUserInfo(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.username = "";
  url.password = "";
  return url.toString().replace(/\/+$/, "");
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

interface ValidSettings {
  baseUrl: string;
  timeoutMs: number;
  refreshMarginMs: number;
  retry: RetrySettings;
}

/** Bad settings fail at construction with the field name and the fix; the password is never echoed. */
function validateOptions(options: VcfClientOptions): ValidSettings {
  const fail = (field: string, fix: string): never => {
    throw new Error(`VcfClient option "${field}" ${fix}`);
  };
  let url: URL | undefined;
  try {
    url = new URL(options.baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    fail(
      "baseUrl",
      `must be an http(s) URL such as https://sddc-manager.example.com (got ${JSON.stringify(options.baseUrl)})`,
    );
  }
  if (typeof options.username !== "string" || options.username.trim() === "")
    fail("username", "is required, e.g. administrator@vsphere.local");
  if (typeof options.password !== "string" || options.password === "") fail("password", "is required");
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_REQUEST_TIMEOUT_MS))
    fail("requestTimeoutMs", `must be a positive number of milliseconds, at most ${MAX_REQUEST_TIMEOUT_MS}`);
  const refreshMarginMs = options.tokenRefreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  if (!(refreshMarginMs >= 0)) fail("tokenRefreshMarginMs", "must be zero or a positive number of milliseconds");
  const retry: RetrySettings = { ...DEFAULT_RETRY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)
    fail("retry.maxAttempts", "must be a whole number of at least 1");
  if (!(retry.baseDelayMs >= 0)) fail("retry.baseDelayMs", "must be zero or a positive number of milliseconds");
  if (!(retry.maxDelayMs >= retry.baseDelayMs)) fail("retry.maxDelayMs", "must be at least retry.baseDelayMs");
  return { baseUrl: options.baseUrl.replace(/\/+$/, ""), timeoutMs, refreshMarginMs, retry };
}
