// The readiness rules: what SDDC Manager reports about backups, passwords, certificates, failed tasks and the depot,
// turned into findings. Every call here only reads (the password expiry query is a POST, but it starts a query
// and changes no password: UPGRADE-API.md §14.2).
import type { VcfClient } from "../../vcf/client";
import { normalizeStatus } from "../../vcf/status";
import { capText, NAME_CAP, TEXT_CAP } from "../../vcf/text-cap";
import type { CredentialsExpiration, Task } from "../../vcf/types";
import { engineText, type EngineText } from "../catalog";
import { capFinding } from "../findings";
import { errorText } from "../errors";
import { sharedRead } from "../shared-reads";
import { SDDC_MANAGERS_READ } from "../api-generation";
import { sharedBackupTasks } from "../steps/backup-tasks";
import type { EngineSettings, Finding, ReadinessCheck } from "../types";

const DAY_MS = 86_400_000;
/** Credential types whose passwords an upgrade of the domain uses (CredentialsExpirationSpec.resourceType). */
const CREDENTIAL_TYPES = ["ESXI", "VCENTER", "NSXT_MANAGER"];
/** Failed tasks named in one finding at most; the rest are counted. */
const MAX_NAMED_TASKS = 10;

/** What the rules need; `poll` is the engine's one waiting primitive (the password query runs a while). */
export interface ReadinessContext {
  client: VcfClient;
  signal: AbortSignal;
  settings: EngineSettings;
  domainId: string;
  domainName: string;
  /** The upgrade takes a fresh backup first: a missing backup configuration then blocks it. */
  freshBackup: boolean;
  /** Bundles the upgrade still has to download (their ids or names). */
  bundlesToDownload: string[];
  /** SDDC Manager speaks the 9.0 API (it then also tells the depot's sync state); absent: 5.2. */
  api90?: boolean;
  now(): number;
  poll<T>(
    what: EngineText,
    key: string,
    read: (signal: AbortSignal | undefined) => Promise<T>,
    done: (value: T) => boolean,
  ): Promise<T>;
}

/**
 * A read of SDDC Manager's own state (not the domain's: backups, its managers, its depot): another run of the same
 * SDDC Manager that read it within the longest poll interval serves (the fleet's runs reach their checks together).
 */
function systemRead<T>(
  client: VcfClient,
  key: string,
  read: () => Promise<T>,
  settings: EngineSettings,
  signal: AbortSignal | undefined,
): Promise<T> {
  return sharedRead(client, key, read, { maxAgeMs: settings.maxPollIntervalMs, signal });
}

export const CHECK_NAMES: Readonly<Record<ReadinessCheck, string>> = {
  backup: "SDDC Manager backup",
  passwords: "Password expiry",
  certificates: "Certificate expiry",
  failedTasks: "Failed tasks on record",
  depot: "Depot connection",
};

export function readinessFinding(
  check: ReadinessCheck,
  severity: Finding["severity"],
  description: string,
  remediation: string,
  resource?: string,
): Finding {
  const f: Finding = {
    name: CHECK_NAMES[check],
    severity,
    description,
    remediation,
    code: `READINESS_${check.toUpperCase()}`,
    source: "readiness",
  };
  if (resource !== undefined) f.resource = resource;
  return capFinding(f);
}

/** Backup configuration (error or warning by the fresh-backup option), then the age of the last successful backup. */
export async function checkBackup(c: ReadinessContext): Promise<Finding[]> {
  const config = await systemRead(
    c.client,
    "backup-configuration",
    () => c.client.getBackupConfiguration(),
    c.settings,
    c.signal,
  );
  if (config.isConfigured !== true) {
    return [
      readinessFinding(
        "backup",
        c.freshBackup ? "ERROR" : "WARNING",
        c.freshBackup
          ? "SDDC Manager has no backup configuration, so the fresh backup before the upgrade cannot be taken"
          : "SDDC Manager has no backup configuration: there is no backup to restore if the upgrade goes wrong",
        "Configure an SFTP backup location in SDDC Manager (Administration > Backup)",
        "SDDC Manager",
      ),
    ];
  }
  const tasks = await sharedBackupTasks(c.client, c.settings.maxPollIntervalMs, c.signal);
  const last = tasks
    .filter((t) => normalizeStatus(t.status) === "SUCCESSFUL")
    .map((t) => Date.parse(t.completionTimestamp ?? t.creationTimestamp ?? ""))
    .filter((ms) => Number.isFinite(ms))
    .reduce((max, ms) => Math.max(max, ms), Number.NEGATIVE_INFINITY);
  const maxHours = c.settings.backupMaxAgeMs / 3600_000;
  if (last === Number.NEGATIVE_INFINITY) {
    return [
      readinessFinding(
        "backup",
        "WARNING",
        "SDDC Manager lists no successful backup",
        "Take an SDDC Manager backup (or let the upgrade take a fresh one)",
        "SDDC Manager",
      ),
    ];
  }
  const ageMs = c.now() - last;
  if (ageMs <= c.settings.backupMaxAgeMs) return [];
  return [
    readinessFinding(
      "backup",
      "WARNING",
      `The last successful SDDC Manager backup finished ${new Date(last).toISOString()}, ${Math.floor(ageMs / 3600_000)} h ago (more than ${maxHours} h)`,
      "Take an SDDC Manager backup before the upgrade (or let the upgrade take a fresh one)",
      "SDDC Manager",
    ),
  ];
}

/** The domain's passwords per credential type: expired = error, expiring within passwordWarnDays = warning. */
export async function checkPasswords(c: ReadinessContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const resourceType of CREDENTIAL_TYPES) {
    const started = await c.client.startCredentialsExpiration(
      { resourceType, domainName: c.domainName },
      { signal: c.signal },
    );
    const result = await finishedQuery(c, resourceType, started);
    if (normalizeStatus(result.status) === "FAILED") {
      findings.push(
        readinessFinding(
          "passwords",
          "WARNING",
          `The password expiry query for ${resourceType} failed in SDDC Manager`,
          "Check the password expiry in SDDC Manager (Security > Password Management)",
        ),
      );
      continue;
    }
    for (const e of result.elements ?? []) {
      const f = passwordFinding(c, e.username, e.resource?.resourceName ?? e.resource?.resourceId, e.expiry, e.errors);
      if (f) findings.push(f);
    }
  }
  return findings;
}

async function finishedQuery(
  c: ReadinessContext,
  resourceType: string,
  started: CredentialsExpiration,
): Promise<CredentialsExpiration> {
  if (normalizeStatus(started.status) !== "IN_PROGRESS" || !started.id) return started;
  const id = started.id;
  return c.poll(
    engineText("waitPasswordQuery", { id, resourceType }),
    `readiness:passwords:${resourceType}`,
    (signal) => c.client.getCredentialsExpiration(id, { signal }),
    (q) => normalizeStatus(q.status) !== "IN_PROGRESS",
  );
}

function passwordFinding(
  c: ReadinessContext,
  username: string | undefined,
  resource: string | undefined,
  expiry: { expiryDate?: string; lastCheckedDate?: string; connectivityStatus?: string; status?: string } | undefined,
  errors: readonly { message?: string }[] | undefined,
): Finding | undefined {
  const status = normalizeStatus(expiry?.status);
  const expiresMs = Date.parse(expiry?.expiryDate ?? "");
  // Days from when SDDC Manager checked, or from now when that is later (a stale check must not hide an expiry).
  const checkedMs = Date.parse(expiry?.lastCheckedDate ?? "");
  const fromMs = Number.isFinite(checkedMs) ? Math.max(checkedMs, c.now()) : c.now();
  const days = Number.isFinite(expiresMs) ? (expiresMs - fromMs) / DAY_MS : undefined;
  const who = `${capText(username ?? "(unnamed account)", NAME_CAP)} on ${capText(resource ?? "(unnamed resource)", NAME_CAP)}`;
  const fix = "Rotate or update the password in SDDC Manager (Security > Password Management) before the upgrade";
  // SDDC Manager could not tell (it could not log in with the password, or says UNKNOWN): often the very password
  // that was changed outside SDDC Manager or has expired, so it is reported, never passed over.
  const connectivity = normalizeStatus(expiry?.connectivityStatus);
  const problem =
    errors?.find((e) => e.message)?.message ??
    (connectivity && connectivity !== "ACTIVE" ? `connectivity ${connectivity}` : undefined) ??
    (status === "UNKNOWN" || (!status && days === undefined) ? "status UNKNOWN" : undefined);
  if (problem && status !== "EXPIRED" && !(days !== undefined && days < 0)) {
    return readinessFinding(
      "passwords",
      "WARNING",
      `The password expiry of ${who} could not be checked: ${capText(problem, NAME_CAP)}`,
      "Check the account in SDDC Manager (Security > Password Management); remediate the password if SDDC Manager cannot use it",
      resource,
    );
  }
  if (status === "EXPIRED" || (days !== undefined && days < 0)) {
    return readinessFinding("passwords", "ERROR", `The password of ${who} has expired`, fix, resource);
  }
  if (status === "EXPIRING" || (days !== undefined && days <= c.settings.passwordWarnDays)) {
    const when = days === undefined ? "soon" : `in ${Math.max(0, Math.floor(days))} day(s)`;
    return readinessFinding("passwords", "WARNING", `The password of ${who} expires ${when}`, fix, resource);
  }
  return undefined;
}

/** The domain's certificates: expired = error, expiring within certificateWarnDays = warning. */
export async function checkCertificates(c: ReadinessContext): Promise<Finding[]> {
  const certificates = await c.client.getDomainCertificates(c.domainId, { signal: c.signal });
  const findings: Finding[] = [];
  for (const cert of certificates) {
    const name = cert.issuedTo ?? cert.resourceName ?? "(unnamed certificate)";
    const days =
      typeof cert.numberOfDaysToExpire === "number"
        ? cert.numberOfDaysToExpire
        : (Date.parse(cert.notAfter ?? "") - c.now()) / DAY_MS;
    const fix = "Replace the certificate in SDDC Manager (Security > Certificate Management) before the upgrade";
    const until = cert.notAfter ? ` (valid until ${capText(cert.notAfter, NAME_CAP)})` : "";
    if (normalizeStatus(cert.expirationStatus) === "EXPIRED" || days < 0) {
      findings.push(
        readinessFinding("certificates", "ERROR", `The certificate of ${name} has expired${until}`, fix, name),
      );
    } else if (Number.isFinite(days) && days <= c.settings.certificateWarnDays) {
      findings.push(
        readinessFinding(
          "certificates",
          "WARNING",
          `The certificate of ${name} expires in ${Math.floor(days)} day(s)${until}`,
          fix,
          name,
        ),
      );
    }
  }
  return findings;
}

/**
 * FAILED, unresolved tasks of the domain or of SDDC Manager: they can hold locks that block the upgrade. The tasks of
 * failed upgrades are left out: the upgrade retries those itself (see task-retry.ts).
 */
export async function checkFailedTasks(c: ReadinessContext): Promise<Finding[]> {
  const managers = await systemRead(
    c.client,
    SDDC_MANAGERS_READ,
    () => c.client.getSddcManagers(),
    c.settings,
    c.signal,
  );
  const failedOf = (resourceId: string): Promise<Task[]> =>
    c.client.listTasks({ taskStatus: "FAILED", resourceId }, { signal: c.signal });
  const found = new Map<string, Task>();
  const lists = [
    await failedOf(c.domainId),
    ...(await Promise.all(
      managers.map((m) => systemRead(c.client, `failed-tasks:${m.id}`, () => failedOf(m.id), c.settings, c.signal)),
    )),
  ];
  for (const t of lists.flat()) if (normalizeStatus(t.resolutionStatus) !== "RESOLVED") found.set(t.id, t);
  // The upgrades are listed only when there is something to leave out: most runs find no failed task at all.
  if (found.size === 0) return [];
  const upgrades = await c.client.listUpgrades(undefined, { signal: c.signal });
  const retriedByUpgrade = new Set(upgrades.map((u) => u.taskId));
  const tasks = [...found.values()].filter((t) => !retriedByUpgrade.has(t.id));
  if (tasks.length === 0) return [];
  const named = tasks
    .slice(0, MAX_NAMED_TASKS)
    .map(
      (t) =>
        `${capText(t.name ?? t.type ?? "task", NAME_CAP)} (${capText(t.id, NAME_CAP)}, ${t.completionTimestamp ?? t.creationTimestamp ?? "no date"})`,
    );
  const more = tasks.length > MAX_NAMED_TASKS ? `; ${tasks.length - MAX_NAMED_TASKS} more` : "";
  return [
    readinessFinding(
      "failedTasks",
      "WARNING",
      `${tasks.length} failed task(s) on record, which can hold locks that block the upgrade: ${named.join("; ")}${more}`,
      "In SDDC Manager (Tasks), retry or cancel each failed task before the upgrade",
    ),
  ];
}

/** The depot account's status and its own message, when it is not connected (an offline depot is not checked). */
export interface DepotProblem {
  status: string;
  message?: string;
}

export async function depotProblem(
  client: VcfClient,
  settings: EngineSettings,
  signal: AbortSignal | undefined,
): Promise<DepotProblem | undefined> {
  const depot = await systemRead(client, "depot-settings", () => client.getDepotSettings(), settings, signal);
  if (depot.depotConfiguration?.isOfflineDepot === true) return undefined;
  const account = depot.vmwareAccount ?? depot.dellEmcSupportAccount;
  const status = normalizeStatus(account?.status);
  if (status === "DEPOT_CONNECTION_SUCCESSFUL") return undefined;
  const problem: DepotProblem = { status: status || "no account set" };
  if (account?.message) problem.message = capText(account.message, TEXT_CAP);
  return problem;
}

/** The first bundles of a list, by name, for a text. */
export function namedBundles(names: readonly string[]): string {
  return names.slice(0, MAX_NAMED_TASKS).join(", ");
}

/** The depot finding: an error with the depot's own message, naming the bundles still to download. */
export function depotFinding(problem: DepotProblem, bundlesToDownload: string[]): Finding {
  const message = problem.message ? `: ${problem.message}` : "";
  const bundles = namedBundles(bundlesToDownload);
  return readinessFinding(
    "depot",
    "ERROR",
    `The depot account is not connected (${problem.status}${message}), and ${bundlesToDownload.length} bundle(s) are still to download: ${bundles}`,
    "Fix the depot account in SDDC Manager (Administration > Online Depot), then download the bundles",
    "Depot",
  );
}

/** 9.0: the depot's last sync (GET .../depot-sync-info); a failed one is a warning with the depot's own message. */
async function depotSyncFindings(c: ReadinessContext): Promise<Finding[]> {
  if (!c.api90) return [];
  const sync = await c.client.getDepotSyncInfo({ signal: c.signal });
  const status = normalizeStatus(sync.syncStatus);
  if (status !== "FAILED" && !sync.errorMessage) return [];
  const message = sync.errorMessage ? `: ${capText(sync.errorMessage, TEXT_CAP)}` : "";
  const last = sync.lastSyncCompletionTimestamp
    ? ` (last sync ${capText(sync.lastSyncCompletionTimestamp, NAME_CAP)})`
    : "";
  return [
    readinessFinding(
      "depot",
      "WARNING",
      `The depot sync ended ${status || "without a status"}${message}${last}: new bundles may be missing`,
      "Check the depot in SDDC Manager (Administration > Depot Settings) and sync it again",
      "Depot sync",
    ),
  ];
}

/**
 * Bundles still to download while the depot account is not connected: an error with the depot's own message; on
 * 9.0 also a failed depot sync (a warning).
 */
export async function checkDepot(c: ReadinessContext): Promise<Finding[]> {
  const sync = await depotSyncFindings(c);
  if (c.bundlesToDownload.length === 0) return sync;
  const problem = await depotProblem(c.client, c.settings, c.signal);
  return [...(problem ? [depotFinding(problem, c.bundlesToDownload)] : []), ...sync];
}

/** A check whose API call failed: a warning saying so, never a silent pass. */
export function checkFailed(check: ReadinessCheck, err: unknown): Finding {
  return readinessFinding(
    check,
    "WARNING",
    `The ${CHECK_NAMES[check].toLowerCase()} check could not run: ${capText(errorText(err), TEXT_CAP)}`,
    "Check it in SDDC Manager by hand, or switch this readiness check off in the connection settings",
  );
}
