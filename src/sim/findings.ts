import type { ErrorBody } from "./errors";
import type { QueryResource } from "./checkset-query";
import type { PrecheckFindings } from "./types";

/** The checks of a precheck run and the validationResult tree they form (UPGRADE-API.md §5.3). */

export type Severity = "INFO" | "WARNING" | "ERROR" | "CRITICAL";
const RANK: readonly Severity[] = ["INFO", "WARNING", "ERROR", "CRITICAL"];

export interface Check {
  resource: QueryResource;
  name: string;
  /** CRITICAL = a blocking gap, counted in criticalGapsCount (not errorValidationsCount). */
  severity: Severity;
  passed: boolean;
  message: string;
  remediation?: string;
}

const PASSING: Record<string, [string, string]> = {
  SDDC_MANAGER: ["SDDC Manager disk space", "Enough free space for the upgrade"],
  NSX_T_MANAGER: ["NSX Manager backup", "A recent NSX Manager backup exists"],
  VCENTER: ["Out-of-band upgrade", "No out-of-band upgrade detected"],
  CLUSTER: ["ESXi host connection state", "All hosts are connected"],
};

/** One passing check per resource, plus the scenario's failing ones on matching resources (see PrecheckFindings). */
export function buildChecks(resources: QueryResource[], mode: PrecheckFindings): Check[] {
  const checks: Check[] = resources.map((resource) => {
    const [name, message] = PASSING[resource.resourceType] ?? ["Resource health", "Healthy"];
    return { resource, name, severity: "INFO", passed: true, message };
  });
  if (mode === "none" || resources.length === 0) return checks;
  const pick = (type: string, last = false): QueryResource => {
    const matching = resources.filter((r) => r.resourceType === type);
    // `resources` is not empty here (checked above), so the fallback always exists.
    return (last ? matching.at(-1) : matching[0]) ?? (resources[0] as QueryResource);
  };
  if (mode === "critical") {
    // On the last vCenter: in a run over several domains that is the last domain's summary entry.
    const vcenter = pick("VCENTER", true);
    checks.push({
      resource: vcenter,
      name: "vCenter file-based backup",
      severity: "CRITICAL",
      passed: false,
      message: `No successful file-based backup of vCenter ${vcenter.resourceName} in the last 7 days.`,
      remediation: "Configure and run a file-based backup of the vCenter appliance (VAMI > Backup) before upgrading.",
    });
    return checks;
  }
  const cluster = pick("CLUSTER");
  checks.push({
    resource: cluster,
    name: "vSAN HCL database freshness",
    severity: "WARNING",
    passed: false,
    message: `The vSAN HCL database used for cluster ${cluster.resourceName} is older than 90 days.`,
    remediation: "Update the vSAN HCL database from vCenter (Cluster > Monitor > vSAN > Skyline Health).",
  });
  const secondCluster = pick("CLUSTER", true);
  checks.push({
    resource: secondCluster,
    name: "ESXi root password expiry",
    severity: "WARNING",
    passed: false,
    message: `The root password of a host in ${secondCluster.resourceName} expires in 6 days.`,
    remediation: "Rotate the ESXi root password from SDDC Manager Password Management.",
  });
  if (mode === "errors") {
    const nsx = pick("NSX_T_MANAGER");
    checks.push({
      resource: nsx,
      name: "NSX Manager cluster status",
      severity: "ERROR",
      passed: false,
      message: `NSX Manager cluster ${nsx.resourceName} reports status DEGRADED (1 of 3 nodes unreachable).`,
      remediation: "Restore all NSX Manager nodes to a STABLE cluster state before upgrading.",
    });
  }
  return checks;
}

/** Root -> one node per resource -> one node per check (context carries the finding fields). */
export function validationTree(checks: Check[]): ErrorBody {
  const worst = worstOf(checks);
  const resources = [...new Map(checks.map((c) => [c.resource.resourceId, c.resource])).values()];
  return {
    errorCode: `BASELINER_TARGET_STATE_VALIDATION.${worst.toLowerCase()}`,
    context: { severity: worst },
    message: worst === "INFO" ? "Target state validation successful" : "Target state validation completed with issues",
    nestedErrors: resources.map((resource) => {
      const own = checks.filter((c) => c.resource.resourceId === resource.resourceId);
      const level = worstOf(own);
      return {
        errorCode: `BASELINER_RESOURCE_VALIDATION.${level.toLowerCase()}`,
        context: {
          severity: level,
          resourceName: resource.resourceName,
          resourceType: resource.resourceType,
          resourceId: resource.resourceId,
        },
        message: `Validations of ${resource.resourceName}`,
        nestedErrors: own.map((c) => checkNode(c)),
      };
    }),
  };
}

/** The most severe failed check's severity; INFO when every check passed. */
function worstOf(checks: Check[]): Severity {
  return checks
    .filter((c) => !c.passed)
    .reduce<Severity>((worst, c) => (RANK.indexOf(c.severity) > RANK.indexOf(worst) ? c.severity : worst), "INFO");
}

function checkNode(c: Check): ErrorBody {
  const node: ErrorBody = {
    errorCode: `BASELINER_CONSTRAINT_VALIDATION.${c.passed ? "info" : c.severity.toLowerCase()}`,
    context: {
      severity: c.passed ? "INFO" : c.severity,
      validationName: c.name,
      validationStatus: c.passed ? "VALIDATION_SUCCESSFUL" : "VALIDATION_FAILED",
      resourceName: c.resource.resourceName,
      resourceType: c.resource.resourceType,
      resourceId: c.resource.resourceId,
    },
    message: c.message,
    nestedErrors: [],
  };
  if (c.remediation) node.remediationMessage = c.remediation;
  return node;
}
