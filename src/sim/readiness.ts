import { isoAt } from "./clock";
import type { SimContext } from "./context";
import { ApiError, errorBody, notFound } from "./errors";
import type { SimDomain } from "./inventory";
import { evaluatePlan } from "./plan";
import { clusterHosts } from "./render-domains";
import { BodyObject } from "./request-body";
import { describe, planSubTasks, type TaskBody } from "./tasks";
import type { ExpiryFault } from "./types";

/**
 * What a change window checks before an upgrade (UPGRADE-API.md §14.1, §14.2): the backup configuration and
 * backups, password and certificate expiry, the depot account, failed tasks on record. Dates are relative to
 * the simulated now, so a healthy estate stays healthy at any time scale.
 */

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const CREDENTIAL_TYPES = ["ESXI", "VCENTER", "PSC", "NSXT_MANAGER", "NSXT_EDGE", "BACKUP"];

interface BackupRun {
  id: string;
  requestedMs: number;
  fails: boolean;
}

interface ExpiryQuery {
  id: string;
  requestedMs: number;
  resourceType: string;
  domain?: SimDomain;
}

export class ReadinessService {
  private readonly backups: BackupRun[] = [];
  /** The scheduled backup the fault started; cleared when the fault is off, so switching it on starts another. */
  private scheduledRun: BackupRun | undefined;
  private readonly queries = new Map<string, ExpiryQuery>();

  constructor(private readonly ctx: SimContext) {
    // The scheduled backup, the change of the backup settings and the failed task on record exist while their
    // faults say so (listed()).
    ctx.tasks.register("backup-configuration", {
      render: () => this.backupConfigurationTask(),
      listed: () => ctx.faults().backupConfigured,
    });
    ctx.tasks.register("scheduled-backup", {
      render: () => this.scheduledBackup(),
      listed: () => ctx.faults().backupConfigured && ctx.faults().lastBackupHoursAgo >= 0,
    });
    ctx.tasks.register("failed-task-on-record", {
      render: () => this.failedTaskOnRecord(),
      listed: () => ctx.faults().failedTaskOnRecord,
    });
  }

  /** Starts the scheduled backup of the fault scheduledBackupRunning (once per time the fault is on). */
  tick(): void {
    if (!this.ctx.faults().scheduledBackupRunning) this.scheduledRun = undefined;
    else if (!this.scheduledRun) this.scheduledRun = this.addBackupRun();
  }

  backupConfiguration(): unknown {
    if (!this.ctx.faults().backupConfigured) return { backupLocations: [], backupSchedules: [], isConfigured: false };
    return {
      backupLocations: [
        { server: "sftp.example.test", port: 22, protocol: "SFTP", username: "backup", directoryPath: "/backups/vcf" },
      ],
      backupSchedules: [
        {
          resourceType: "SDDC_MANAGER",
          takeScheduledBackups: true,
          frequency: "HOURLY",
          minuteOfHour: 0,
          takeBackupOnStateChange: false,
          retentionPolicy: { numberOfMostRecentBackups: 15 },
        },
      ],
      isConfigured: true,
    };
  }

  /** POST /v1/backups/tasks: an SDDC Manager backup that runs `durations.backupSeconds`; answers a BackupTask. */
  startBackup(body: unknown): { id: string; name: string; status: string; resources: unknown[]; errors: unknown[] } {
    const root = BodyObject.root(body, "BackupSpec", this.ctx.strict).allowOnly("BackupSpec", ["elements"]);
    for (const element of root.objects("elements", "BackupResource", 1)) {
      element.allowOnly("BackupResource", ["resourceType"]);
      const type = element.string("resourceType", true);
      if (type !== "SDDC_MANAGER")
        throw new ApiError(
          400,
          "BACKUP_RESOURCE_TYPE_INVALID",
          `Cannot back up resource type ${type}`,
          "Use SDDC_MANAGER.",
          [type],
        );
    }
    if (!this.ctx.faults().backupConfigured) {
      throw new ApiError(
        400,
        "BACKUP_NOT_CONFIGURED",
        "No backup location is configured for SDDC Manager",
        "Configure an SFTP backup location (Administration > Backup) first.",
      );
    }
    if (this.backups.some((b) => this.renderBackup(b).status === "IN_PROGRESS")) {
      throw new ApiError(
        400,
        "BACKUP_IN_PROGRESS",
        "A backup of SDDC Manager is already in progress",
        "Wait for the running backup to finish (GET /v1/tasks), then start a new one.",
      );
    }
    const task = this.renderBackup(this.addBackupRun());
    return { id: task.id, name: task.name, status: "IN_PROGRESS", resources: task.resources, errors: [] };
  }

  private addBackupRun(): BackupRun {
    const run: BackupRun = {
      id: this.ctx.ids.next("backup-task"),
      requestedMs: this.ctx.clock.nowMs(),
      fails: this.ctx.faults().failBackup,
    };
    this.backups.push(run);
    this.ctx.tasks.register(run.id, { render: () => this.renderBackup(run) });
    return run;
  }

  /** POST /v1/credentials/expirations: a query that completes after `durations.credentialCheckSeconds`. */
  startExpiryQuery(body: unknown): unknown {
    const root = BodyObject.root(body, "CredentialsExpirationSpec", this.ctx.strict).allowOnly(
      "CredentialsExpirationSpec",
      ["domainName", "resourceType", "credentialIds"],
    );
    const resourceType = root.string("resourceType", true);
    if (!CREDENTIAL_TYPES.includes(resourceType) && this.ctx.strict)
      throw new ApiError(400, "INVALID_RESOURCE_TYPE", `Unknown resource type ${resourceType}`, "Use e.g. ESXI.", [
        resourceType,
      ]);
    const domainName = root.string("domainName");
    const domain = domainName ? this.ctx.inventory.domains.find((d) => d.name === domainName) : undefined;
    if (domainName && !domain)
      throw notFound("Domain", domainName, "DOMAIN_NOT_FOUND", "Use a name from GET /v1/domains.");
    const query: ExpiryQuery = {
      id: this.ctx.ids.next("expiration"),
      requestedMs: this.ctx.clock.nowMs(),
      resourceType,
      domain,
    };
    this.queries.set(query.id, query);
    return this.renderExpiry(query);
  }

  expiryQuery(id: string): unknown {
    const query = this.queries.get(id);
    if (!query) throw notFound("Credentials expiration", id, "EXPIRATION_NOT_FOUND", "Use the id of the POST answer.");
    return this.renderExpiry(query);
  }

  /** GET /v1/domains/{id}/certificates: vCenter, NSX and SDDC Manager (management domain) certificates. */
  certificates(domain: SimDomain): unknown[] {
    const now = this.ctx.clock.nowMs();
    const fault = this.ctx.faults().certificateExpiry;
    const names = [domain.vcenter.fqdn, domain.nsx.vipFqdn];
    if (domain.type === "MANAGEMENT") names.push(this.ctx.inventory.sddcManager.fqdn);
    return names.map((name, i) => {
      const types = ["VCENTER", "NSXT_MANAGER", "SDDC_MANAGER"];
      const days = i === 0 ? expiryDays(fault, 398) : 398;
      return renderCertificate(name, types[i] ?? "VCENTER", domain.id, now, days);
    });
  }

  /** GET /v1/system/settings/depot; the password is masked as SDDC Manager does. */
  depotSettings(): unknown {
    const status = this.ctx.faults().depotStatus;
    return {
      vmwareAccount: {
        username: "depot-user@example.test",
        password: "**********",
        status,
        message:
          status === "DEPOT_CONNECTION_SUCCESSFUL"
            ? "Depot connection successful"
            : `Depot connection failed: ${status} (the depot rejected or did not answer the login)`,
      },
      depotConfiguration: { isOfflineDepot: false, hostname: "dl.broadcom.com", port: 443 },
    };
  }

  /** 9.0: GET /v1/system/settings/depot/depot-sync-info; a depot that refuses the login cannot sync either. */
  depotSyncInfo(): unknown {
    const status = this.ctx.faults().depotStatus;
    const lastSync = isoAt(this.ctx.clock.nowMs() - 3600_000);
    return status === "DEPOT_CONNECTION_SUCCESSFUL"
      ? { syncStatus: "COMPLETED", lastSyncCompletionTimestamp: lastSync }
      : { syncStatus: "FAILED", errorMessage: `Depot sync failed: ${status}`, lastSyncCompletionTimestamp: lastSync };
  }

  private renderBackup(run: BackupRun): TaskBody {
    const plan = evaluatePlan(
      [
        {
          name: "Back up SDDC Manager",
          type: "SDDC_MANAGER_BACKUP",
          description: "Write the SDDC Manager backup to the SFTP location",
          seconds: this.ctx.faults().durations.backupSeconds,
          fails: run.fails,
        },
      ],
      run.requestedMs,
      this.ctx.clock.nowMs(),
    );
    const failure = run.fails
      ? errorBody("BACKUP_UPLOAD_FAILED", "The backup file could not be written to sftp.example.test:/backups/vcf", {
          remediationMessage: "Check the SFTP server's free space and the backup user's permissions, then try again.",
        })
      : undefined;
    const status = plan.state === "RUNNING" ? "IN_PROGRESS" : plan.state === "FAILED" ? "FAILED" : "SUCCESSFUL";
    const task = this.backupTask(run.id, status, run.requestedMs);
    task.subTasks = planSubTasks(plan, run.requestedMs, failure);
    if (plan.state === "FAILED" && failure) task.errors = [failure];
    if (plan.endMs !== undefined && status !== "IN_PROGRESS") task.completionTimestamp = isoAt(plan.endMs);
    return task;
  }

  /** The newest scheduled backup: `lastBackupHoursAgo` before the simulated now. */
  private scheduledBackup(): TaskBody {
    const done = this.ctx.clock.nowMs() - this.ctx.faults().lastBackupHoursAgo * HOUR_MS;
    const task = this.backupTask("scheduled-backup", "Successful", done - 5 * 60_000);
    task.completionTimestamp = isoAt(done);
    return task;
  }

  /**
   * The task that saved the backup settings: an SDDC Manager task whose type and name mention backup but that is
   * no backup. Half an hour before the last scheduled backup (or before now when there is none yet).
   */
  private backupConfigurationTask(): TaskBody {
    const hoursAgo = Math.max(0, this.ctx.faults().lastBackupHoursAgo) + 0.5;
    const done = this.ctx.clock.nowMs() - hoursAgo * HOUR_MS;
    const name = "Update backup configuration";
    return {
      ...this.backupTask("backup-configuration", "Successful", done - 60_000),
      name,
      localizableDescriptionPack: describe(name, "backup_configuration_update"),
      type: "BACKUP_CONFIGURATION_UPDATE",
      completionTimestamp: isoAt(done),
    };
  }

  private backupTask(id: string, status: string, createdMs: number): TaskBody {
    const sddc = this.ctx.inventory.sddcManager;
    return {
      id,
      name: "SDDC Manager backup",
      localizableDescriptionPack: describe("SDDC Manager backup", "sddc_manager_backup"),
      type: "SDDC_MANAGER_BACKUP",
      status,
      creationTimestamp: isoAt(createdMs),
      resources: [{ resourceId: sddc.id, type: "SDDC_MANAGER", fqdn: sddc.fqdn }],
      subTasks: [],
      errors: [],
      isCancellable: false,
      isRetryable: false,
    };
  }

  /** A host removal that failed yesterday on the management domain and was never retried. */
  private failedTaskOnRecord(): TaskBody {
    const domain = this.ctx.inventory.domains.find((d) => d.type === "MANAGEMENT") ?? this.ctx.inventory.domains[0];
    const at = this.ctx.clock.nowMs() - DAY_MS;
    const error = errorBody("HOST_DECOMMISSION_FAILED", "Removing host esx-old.example.test from the cluster failed", {
      remediationMessage: "Retry or cancel the task in SDDC Manager.",
    });
    return {
      id: "failed-task-on-record",
      name: "Remove host esx-old.example.test",
      localizableDescriptionPack: describe("Remove host esx-old.example.test", "host_remove"),
      type: "HOST_DECOMMISSION",
      status: "Failed",
      creationTimestamp: isoAt(at - 10 * 60_000),
      completionTimestamp: isoAt(at),
      resources: domain ? [{ resourceId: domain.id, type: "DOMAIN", name: domain.name }] : [],
      subTasks: [],
      errors: [error],
      resolutionStatus: "UNRESOLVED",
      isCancellable: false,
      isRetryable: true,
    };
  }

  private renderExpiry(query: ExpiryQuery): unknown {
    const now = this.ctx.clock.nowMs();
    const doneMs = query.requestedMs + this.ctx.faults().durations.credentialCheckSeconds * 1000;
    const body: Record<string, unknown> = {
      id: query.id,
      status: now < doneMs ? "IN_PROGRESS" : "COMPLETED",
      creationTimestamp: isoAt(query.requestedMs),
    };
    if (now < doneMs) return { ...body, elements: [] };
    return { ...body, completionTimestamp: isoAt(doneMs), elements: this.expiryElements(query, doneMs) };
  }

  /** One root account per resource of the type; the fault makes the first ESXi host's (and vCenter's) expire. */
  private expiryElements(query: ExpiryQuery, checkedMs: number): unknown[] {
    const fault = this.ctx.faults().passwordExpiry;
    const domains = query.domain ? [query.domain] : this.ctx.inventory.domains;
    const element = (id: string, name: string, domain: SimDomain, username: string, days: number): unknown => {
      const status = days < 0 ? "EXPIRED" : days <= 15 ? "EXPIRING" : "ACTIVE";
      return {
        id: `credential-${id}-${username}`,
        username,
        resource: {
          resourceId: id,
          resourceName: name,
          resourceIp: "10.0.0.10",
          resourceType: query.resourceType,
          domainNames: [domain.name],
        },
        expiry: {
          expiryDate: isoAt(checkedMs + days * DAY_MS),
          lastCheckedDate: isoAt(checkedMs),
          connectivityStatus: "ACTIVE",
          status,
        },
        errors: [],
      };
    };
    return domains.flatMap((d) => {
      if (query.resourceType === "VCENTER")
        return [element(d.vcenter.id, d.vcenter.fqdn, d, "root", fault === "expired" ? -3 : 180)];
      if (query.resourceType === "NSXT_MANAGER") return [element(d.nsx.id, d.nsx.vipFqdn, d, "admin", 180)];
      if (query.resourceType !== "ESXI") return [];
      return d.clusters.flatMap((c) =>
        clusterHosts(c).map((host, h) => {
          const first = c.primary && h === 0;
          if (first && fault === "unknown") return unknownExpiry(element(host.id, host.fqdn, d, "root", 180));
          return element(host.id, host.fqdn, d, "root", first && fault !== "unknown" ? expiryDays(fault, 180) : 180);
        }),
      );
    });
  }
}

/** An element SDDC Manager could not check: it cannot log in with the stored password. */
function unknownExpiry(element: unknown): unknown {
  const known = element as { expiry: object };
  return {
    ...known,
    expiry: {
      lastCheckedDate: (known.expiry as { lastCheckedDate?: string }).lastCheckedDate,
      connectivityStatus: "ERROR",
      status: "UNKNOWN",
    },
    errors: [
      {
        errorCode: "CREDENTIAL_AUTHENTICATION_FAILED",
        message: "Unable to log in to the resource with the stored password",
      },
    ],
  };
}

/** Days to expiry of the resource a fault hits: 5 when expiring, -3 when expired. */
function expiryDays(fault: ExpiryFault, healthy: number): number {
  return fault === "expired" ? -3 : fault === "expiring" ? 5 : healthy;
}

function renderCertificate(name: string, type: string, domainId: string, nowMs: number, days: number): unknown {
  const notAfter = nowMs + days * DAY_MS;
  return {
    isInstalled: true,
    version: "V3",
    serialNumber: "46:85:19:77:36:12:67:26",
    issuedTo: name,
    resourceType: type,
    resourceName: name,
    issuedBy: "CN=Example CA, O=Example",
    notBefore: isoAt(notAfter - 730 * DAY_MS),
    notAfter: isoAt(notAfter),
    signatureAlgorithm: "SHA256withRSA",
    subject: `CN=${name}`,
    domain: domainId,
    subjectAlternativeName: [name],
    publicKey: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
    publicKeyAlgorithm: "RSA",
    keySize: "2048",
    thumbprintAlgorithm: "SHA-256",
    thumbprint: "AB:CD:EF:01:23:45:67:89",
    pemEncoded: `-----BEGIN CERTIFICATE-----\nsimulated certificate of ${name}\n-----END CERTIFICATE-----`,
    numberOfDaysToExpire: Math.floor(days),
    expirationStatus: days < 0 ? "EXPIRED" : days <= 30 ? "ABOUT_TO_EXPIRE" : "ACTIVE",
    getCertificateError: "",
  };
}
