// vcf-upgrade's downtime options: the editor's fields as the engine's UpgradeOptions shape, and msg.upgradeOptions
// over them. Only what was chosen is passed on; the engine checks every value (upgrade-options.ts in the engine).

/** The editor's fields; "" (or absent) everywhere means SDDC Manager's default. */
export interface UpgradeOptionFields {
  /** "on", "off" or "" (SDDC Manager's default), like the other three ESXi switches. */
  esxQuickBoot?: string;
  esxQuickPatch?: string;
  esxEvacuateOfflineVms?: string;
  esxEnforceHcl?: string;
  /** "FAIL", "RETRY" or "". */
  esxMaintenanceModeFailure?: string;
  esxRetryCount?: number | string;
  esxRetryDelay?: number | string;
  /** "parallel", "sequential" or "", like the two NSX fields. */
  esxClusters?: string;
  nsxHostClusters?: string;
  nsxEdgeClusters?: string;
  /** "InPlace", "ReducedDowntimeMigration" or "". */
  vcenterMechanism?: string;
  /** "STATIC" or "AUTOMATIC" (reduced downtime only). */
  vcenterNetworkMode?: string;
  vcenterIpAddress?: string;
  vcenterSubnetMask?: string;
  vcenterGateway?: string;
  /** "ready" or "at" (reduced downtime only); the maintenance-window work adds "window". */
  vcenterSwitchover?: string;
  vcenterSwitchoverAt?: string;
}

type Group = Record<string, unknown>;

function onOff(value: string | undefined): boolean | undefined {
  return value === "on" ? true : value === "off" ? false : undefined;
}

function chosen(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** A number field as a number when it reads as one; anything else as it is, for the engine to name. */
function numberOf(value: number | string | undefined): unknown {
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) return Number(value);
  return value === "" ? undefined : value;
}

function maintenanceModeFailure(def: UpgradeOptionFields): unknown {
  const action = chosen(def.esxMaintenanceModeFailure);
  if (action !== "RETRY") return action === undefined ? undefined : { action };
  return { action, retryCount: numberOf(def.esxRetryCount), retryDelay: numberOf(def.esxRetryDelay) };
}

function vcenterGroup(def: UpgradeOptionFields): Group {
  const mechanism = chosen(def.vcenterMechanism);
  if (mechanism !== "ReducedDowntimeMigration") return { mechanism };
  const mode = chosen(def.vcenterNetworkMode) ?? "STATIC";
  const temporaryNetwork =
    mode === "STATIC"
      ? {
          mode,
          ipAddress: def.vcenterIpAddress ?? "",
          subnetMask: def.vcenterSubnetMask ?? "",
          gateway: def.vcenterGateway ?? "",
        }
      : { mode };
  const switchover = def.vcenterSwitchover === "at" ? (def.vcenterSwitchoverAt ?? "") : undefined;
  return { mechanism, temporaryNetwork, switchover };
}

/** The options chosen in the node's editor, in the shape of msg.upgradeOptions (undefined: not chosen). */
export function nodeUpgradeOptions(def: UpgradeOptionFields): Record<string, Group> {
  return {
    esx: {
      quickBoot: onOff(def.esxQuickBoot),
      quickPatch: onOff(def.esxQuickPatch),
      evacuateOfflineVms: onOff(def.esxEvacuateOfflineVms),
      enforceHclValidation: onOff(def.esxEnforceHcl),
      maintenanceModeFailure: maintenanceModeFailure(def),
      clusters: chosen(def.esxClusters),
    },
    nsx: { hostClusters: chosen(def.nsxHostClusters), edgeClusters: chosen(def.nsxEdgeClusters) },
    vcenter: vcenterGroup(def),
  };
}

function isPlainObject(value: unknown): value is Group {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * msg.upgradeOptions over the node's options, option by option within each group (esx, nsx, vcenter); null for an
 * option or a group goes back to SDDC Manager's default. Anything that is not an object is passed on for the engine
 * to name.
 */
export function mergeUpgradeOptions(node: Record<string, Group>, fromMsg: unknown): unknown {
  if (fromMsg === undefined) return node;
  if (!isPlainObject(fromMsg)) return fromMsg;
  const merged: Group = { ...node };
  for (const [name, group] of Object.entries(fromMsg)) {
    const base = node[name];
    merged[name] = isPlainObject(group) && base ? { ...base, ...group } : group;
  }
  return merged;
}
