/**
 * Hand-written TypeScript shapes for the part of the SDDC Manager (VCF 5.2) API that the upgrade uses.
 * Written from the 5.2.1 OpenAPI file and UPGRADE-API.md; only the fields we read or send are typed.
 * Status fields stay `string`: the API spells them inconsistently, so compare them through
 * `normalizeStatus` (status.ts), never directly.
 */

/** `pageMetadata` of every list response. */
export interface PageMetadata {
  pageNumber?: number;
  pageSize?: number;
  totalElements?: number;
  totalPages?: number;
}

/** Every list endpoint answers `{elements, pageMetadata}`. */
export interface Page<T> {
  elements: T[];
  pageMetadata?: PageMetadata;
}

/** The API's Error body (§9); also nested inside tasks, validations and assessments. */
export interface ApiErrorBody {
  errorCode?: string;
  errorType?: string;
  arguments?: string[];
  context?: Record<string, string>;
  message?: string;
  remediationMessage?: string;
  /** 9.0: a link to the documentation of the fix, and a short label of the error. */
  remediationUrl?: string;
  label?: string;
  causes?: { type?: string; message?: string }[];
  nestedErrors?: ApiErrorBody[];
  referenceToken?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken?: { id: string };
}

export interface MessagePack {
  component?: string;
  messageKey: string;
  arguments?: string[];
  message?: string;
}

export interface Resource {
  resourceId: string;
  type: string;
  fqdn?: string;
  name?: string;
}

// ---- Domains (§2) ----

export interface Domain {
  id: string;
  name: string;
  /** MANAGEMENT or VI */
  type?: string;
  /** ACTIVE, ACTIVATING, UPGRADING, ERROR, ... */
  status?: string;
  upgradeStatus?: { status?: string; completedResources?: number; totalResources?: number };
  vcenters?: { id: string; fqdn?: string }[];
  clusters?: { id: string; name?: string }[];
  nsxtCluster?: { id?: string; vipFqdn?: string; vip?: string };
  /** IMAGES, BASELINES or BASELINES_AND_IMAGES */
  lifecycleManagementMode?: string;
}

/** GET /v1/clusters?domainId= element: only what the plan uses (host counts for duration estimates). */
export interface Cluster {
  id: string;
  name?: string;
  hosts?: { id?: string; fqdn?: string }[];
  isImageBased?: boolean;
}

// ---- Releases (§2, §4) ----

export interface ProductVersion {
  name: string;
  /** Required by 5.2.1, optional in 9.0. */
  version?: string;
  publicName?: string;
  releaseURL?: string;
  /** 9.0: who upgrades this product, e.g. SDDC_MANAGER_VCF; anything else is upgraded outside this API. */
  lifecycleManagedBy?: string;
}

export interface PatchBundle {
  bundleId: string;
  bundleType: string;
  bundleElements: string[];
  cumulativeFromVcfVersion: string;
}

export interface Release {
  product: string;
  version: string;
  /** Required by 5.2.1, optional in 9.0. */
  minCompatibleVcfVersion?: string;
  /** 9.0: the oldest VCF Installer that can deploy this release. */
  minInstallerVersion?: string;
  description?: string;
  releaseDate?: string;
  bom: ProductVersion[];
  patchBundles?: PatchBundle[];
  eol?: string;
  upgradeOrder?: string;
  /** Deprecated in the spec; may be missing. */
  isApplicable?: boolean;
}

export interface DomainFutureRelease extends Release {
  /** APPLICABLE or NOT_APPLICABLE */
  applicabilityStatus?: string;
  reasonNotApplicable?: MessagePack;
  reasonsNotApplicable?: MessagePack[];
  warnings?: MessagePack[];
  alternativeApplicableSddcManagerVersions?: { version?: string }[];
}

/**
 * Body of PATCH /v1/releases/domains/{id} and POST .../validations: send only the keys you need. No
 * targetVxRailVersion: 9.0 removed it, so it is never sent.
 */
export interface DomainRelease {
  targetVersion: string;
  targetSddcManagerVersion?: string;
  patches?: { productType: string; version: string }[];
}

/** GET /v1/releases/domains/{id}; `targetVersion` is "" when no target is set. */
export interface DomainReleaseView {
  domainId: string;
  targetVersion: string;
  targetSddcManagerVersion?: string;
  patches?: { productType: string; version: string }[];
  isCustomizedBom?: boolean;
}

export interface SddcManager {
  id: string;
  fqdn?: string;
  /** e.g. "5.2.0.0-24108943": split on "-" before comparing */
  version?: string;
  domain?: { id: string; name?: string; type?: string };
}

// ---- Bundles (§3) ----

export interface BundleComponent {
  type?: string;
  fromVersion?: string;
  toVersion?: string;
  imageType: string;
  description?: string;
  id?: string;
  vendor?: string;
}

export interface Bundle {
  id: string;
  /** SDDC_MANAGER, VMWARE_SOFTWARE or VXRAIL */
  type: string;
  description?: string;
  version?: string;
  severity?: string;
  releasedDate?: string;
  isCumulative?: boolean;
  isCompliant?: boolean;
  sizeMB?: number;
  /** PENDING, SCHEDULED, IN_PROGRESS, SUCCESSFUL, FAILED, RECALLED (normalise) */
  downloadStatus: string;
  components?: BundleComponent[];
  applicabilityStatus?: string;
  applicabilityOrder?: number;
  isPartiallyUpgraded?: boolean;
}

// ---- Tasks (§8) ----

export interface Stage {
  name: string;
  type: string;
  description: string;
  status: string;
  creationTimestamp?: string;
  completionTimestamp?: string;
  errors?: ApiErrorBody[];
}

/** 9.0: `type` optional, status SKIPPED possible. */
export interface SubTask extends Omit<Stage, "type"> {
  type?: string;
  stages?: Stage[];
  resources?: Resource[];
  subTasks?: SubTask[];
}

export interface Task {
  id: string;
  name?: string;
  type?: string;
  /** mixes IN_PROGRESS / In Progress, SUCCESSFUL / Successful, ... (normalise) */
  status: string;
  creationTimestamp?: string;
  completionTimestamp?: string;
  localizableDescriptionPack?: MessagePack;
  resources?: Resource[];
  errors?: ApiErrorBody[];
  subTasks?: SubTask[];
  resolutionStatus?: string;
  isCancellable?: boolean;
  isRetryable?: boolean;
}

// ---- Target validation (§7) ----

/** 9.0 requires only resultStatus (description and severity optional). */
export interface ValidationCheck {
  description?: string;
  severity?: string;
  resultStatus: string;
  acknowledge?: boolean;
  errorResponse?: ApiErrorBody;
}

export interface Validation {
  id: string;
  description?: string;
  /** IN_PROGRESS, COMPLETED, FAILED, ... */
  executionStatus: string;
  /** SUCCEEDED, FAILED, FAILED_WITH_WARNINGS (or WARNING), ... */
  resultStatus: string;
  validationChecks?: ValidationCheck[];
  additionalProperties?: Record<string, string>;
}

// ---- Check-sets (§5) ----

export interface CheckSetQueryResource {
  resourceType: string;
  resourceId?: string;
  /** the component's BOM version in the target release, not the VCF version */
  resourceTargetVersion?: string;
}

export interface CheckSetQueryInput {
  checkSetType: string;
  domains: { domainId: string; resources?: CheckSetQueryResource[] }[];
}

export interface CheckSetDomainInfo {
  domainId?: string;
  domainName?: string;
  /** MANAGEMENT or VI */
  domainType?: string;
}

export interface CheckSetQueryResourceResult {
  resourceName?: string;
  resourceId?: string;
  resourceType?: string;
  resourceVersion?: string;
  domain?: CheckSetDomainInfo;
  checkSets?: { checkSetId?: string; checkSetName?: string; checkSetType?: string }[];
  extraContext?: Record<string, unknown>;
}

export interface CheckSetQueryResult {
  queryId: string;
  resources: CheckSetQueryResourceResult[];
}

export interface CheckSetResourceSelection {
  resourceType: string;
  resourceId: string;
  resourceName: string;
  domain?: CheckSetDomainInfo;
  /** send only checkSetId in each item */
  checkSets: { checkSetId: string }[];
}

export interface CheckSetRunInput {
  queryId: string;
  resources: CheckSetResourceSelection[];
  /** Not in the 5.2.1 schema, but the SDDC Manager UI sends it (UPGRADE-API.md §5.2). */
  metadata?: { targetVersion?: string };
}

export interface EntityRest {
  id?: string;
  type?: string;
  name?: string;
  properties?: Record<string, unknown>;
  childEntities?: EntityRest[];
}

export interface AssessmentOutput {
  /** IN_PROGRESS, COMPLETED_WITH_SUCCESS, COMPLETED_WITH_FAILURE */
  status?: string;
  discoveryProgress?: { percentageComplete?: number; progressMessages?: string[] };
  presentedArtifactsMap?: Record<string, unknown>;
  validationResult?: ApiErrorBody;
  inputValidationErrors?: ApiErrorBody[];
  physicalPresentedData?: EntityRest;
  relatedAssessmentId?: string;
  timestamp?: string;
  completionTimestamp?: string;
}

export interface AssessmentTaskInfo {
  id?: string;
  state?: string;
  /** epoch milliseconds */
  timestamp?: number;
  completionTimestamp?: number;
  domainInputs?: CheckSetDomainInfo[];
  metadata?: {
    targetVersion?: string;
    resources?: { type?: string; id?: string; name?: string; domainId?: string; targetVersion?: string }[];
    upgradeId?: string;
  };
}

// ---- Upgradables and upgrades (§6) ----

export interface SoftwareComponent {
  id?: string;
  /** SDDC_MANAGER, NSX_T_MANAGER, VCENTER, HOST / ESX_HOST */
  type?: string;
  /** Not in the 5.2.1 schema; present in Broadcom's samples. */
  isUserInputRequired?: boolean;
}

export interface Upgradable {
  bundleId?: string;
  bundleType?: string;
  resource?: Resource;
  softwareComponents?: SoftwareComponent[];
  /** AVAILABLE, PENDING, SCHEDULED, ... (no enum in the spec) */
  status?: string;
  errors?: ApiErrorBody[] | null;
}

export interface NsxtResourceState {
  id?: string;
  name?: string;
  upgradeStatus?: string;
  resourceHealth?: string;
  version?: string;
}

export interface NsxtHostCluster extends NsxtResourceState {
  upgradedUnits?: number;
  totalUnits?: number;
  domainId?: string;
  primaryCluster?: boolean;
  vLcmEnabled?: boolean;
  nsxtComponentId?: string;
}

export interface NsxtResources {
  nsxtManagerCluster?: NsxtResourceState;
  nsxtUpgradeCoordinator?: NsxtResourceState & { enabledOn?: string };
  nsxtEdgeClusters?: NsxtResourceState[];
  nsxtHostClusters?: NsxtHostCluster[];
  bundleId?: string;
  domainId?: string;
}

export interface SoftwareInfo {
  baseImage: { version?: string; details?: Record<string, unknown> };
  addOn?: Record<string, unknown>;
  components?: Record<string, unknown>;
  hardwareSupport?: Record<string, unknown>;
}

export interface UpgradablesClusterResource {
  resourceId: string;
  resourceType: string;
  primaryCluster?: boolean;
  vlcmEnabled?: boolean;
  softwareInfo?: SoftwareInfo;
  configuredHardwareSupportManagers?: unknown[];
  availableHardwareSupportManagers?: unknown[];
}

export interface Personality {
  personalityId: string;
  personalityName: string;
  version?: string;
  displayName?: string;
  description?: string;
  softwareInfo?: SoftwareInfo;
}

export interface PersonalityFilter {
  baseOSVersion?: string;
  personalityName?: string;
  addOnName?: string;
  addOnVendorName?: string;
  componentName?: string;
  componentVendorName?: string;
}

export interface EsxUpgradeOptionsSpec {
  enforceHclValidation?: boolean;
  enableQuickPatch?: boolean;
  enableQuickboot?: boolean;
  evacuateOfflineVms?: boolean;
  disableHac?: boolean;
  disableDpm?: boolean;
  preRemediationPowerAction?: string;
  esxUpgradeFailureAction?: { action?: "FAIL" | "RETRY"; retryCount?: number; retryDelay?: number };
}

export interface ResourceUpgradeSpec {
  resourceId: string;
  upgradeNow?: boolean;
  scheduledTimestamp?: string;
  personalitySpec?: {
    personalityId: string;
    hardwareSupportSpecs?: { name: string; packageSpec: { name: string; version: string } }[];
  };
  customIsoSpec?: { id: string };
  enableQuickboot?: boolean;
  evacuateOfflineVms?: boolean;
  shutdownVms?: boolean;
  toVersion?: string;
  esxUpgradeOptionsSpec?: EsxUpgradeOptionsSpec;
}

export interface NsxtUpgradeUserInputSpec {
  nsxtId?: string;
  nsxtUpgradeOptions?: {
    isEdgeOnlyUpgrade?: boolean;
    isHostClustersUpgradeParallel?: boolean;
    isEdgeClustersUpgradeParallel?: boolean;
  };
  nsxtEdgeClusterUpgradeSpecs?: { edgeClusterId: string; edgeParallelUpgrade?: boolean }[];
  nsxtHostClusterUpgradeSpecs?: { hostClusterId: string; hostParallelUpgrade?: boolean; liveUpgrade?: boolean }[];
}

export interface VcenterUpgradeUserInputSpec {
  resourceId?: string;
  /** InPlace or ReducedDowntimeMigration */
  upgradeMechanism?: string;
  startSwitchoverTimestamp?: string;
  /** required whenever this object is sent */
  temporaryNetwork: { networkMode?: "STATIC" | "AUTOMATIC"; ipAddress?: string; subnetMask?: string; gateway?: string };
}

export interface UpgradeSpec {
  bundleId: string;
  /** DOMAIN, CLUSTER or UNASSIGNED_HOST */
  resourceType: string;
  resourceUpgradeSpecs: ResourceUpgradeSpec[];
  parallelUpgrade?: boolean;
  draftMode?: boolean;
  nsxtUpgradeUserInputSpecs?: NsxtUpgradeUserInputSpec[];
  vcenterUpgradeUserInputSpecs?: VcenterUpgradeUserInputSpec[];
}

/** PATCH /v1/upgrades/{id}: start now, or at scheduledTimestamp (ISO 8601, UTC); markForCancellation cancels. */
export interface UpgradeCommitSpec {
  upgradeNow?: boolean;
  scheduledTimestamp?: string;
  markForCancellation?: boolean;
}

export interface Upgrade {
  id: string;
  bundleId: string;
  resourceType: string;
  resourceUpgradeSpecs: ResourceUpgradeSpec[];
  /** PENDING, SCHEDULED, INPROGRESS, COMPLETED_WITH_SUCCESS, COMPLETED_WITH_FAILURE, ... (normalise) */
  status: string;
  taskId: string;
  parallelUpgrade?: boolean;
  bundle?: Bundle;
  /** epoch milliseconds */
  endTime?: number;
}

export interface BundleFilter {
  productType?: string;
  bundleType?: string;
}

export interface UpgradeFilter {
  status?: string;
  bundleId?: string;
  bundleType?: string;
}

// ---- Readiness (§14.1, §14.2) ----

/** GET /v1/system/backup-configuration (only what the readiness check reads; never the location's password). */
export interface BackupConfiguration {
  isConfigured?: boolean;
  backupSchedules?: { resourceType?: string; takeScheduledBackups?: boolean; frequency?: string }[];
}

/** POST /v1/backups/tasks body. */
export interface BackupSpec {
  elements: { resourceType: string }[];
}

/** 202 answer of POST /v1/backups/tasks; followed with GET /v1/tasks/{id}. */
export interface BackupTask {
  id: string;
  name?: string;
  status?: string;
  resources?: Resource[];
  errors?: ApiErrorBody[];
}

/** POST /v1/credentials/expirations body: a read-only query of password expiry. */
export interface CredentialsExpirationSpec {
  resourceType: string;
  domainName?: string;
  credentialIds?: string[];
}

export interface CredentialExpirationCheck {
  id?: string;
  username?: string;
  resource?: { resourceId?: string; resourceName?: string; resourceIp?: string; resourceType?: string };
  /** status ACTIVE, EXPIRING, EXPIRED or UNKNOWN */
  expiry?: { expiryDate?: string; lastCheckedDate?: string; connectivityStatus?: string; status?: string };
  errors?: ApiErrorBody[];
}

/** POST /v1/credentials/expirations (202) and GET /v1/credentials/expirations/{id}. */
export interface CredentialsExpiration {
  id?: string;
  /** COMPLETED, FAILED or IN_PROGRESS */
  status: string;
  elements?: CredentialExpirationCheck[];
  creationTimestamp?: string;
  completionTimestamp?: string;
}

/** One element of GET /v1/domains/{id}/certificates. */
export interface Certificate {
  issuedTo?: string;
  resourceType?: string;
  resourceName?: string;
  notAfter?: string;
  /** ACTIVE, ABOUT_TO_EXPIRE or EXPIRED */
  expirationStatus?: string;
  numberOfDaysToExpire?: number;
  getCertificateError?: string;
}

/** One account of GET /v1/system/settings/depot; its username and password are never read. */
export interface DepotAccount {
  /** DEPOT_CONNECTION_SUCCESSFUL, DEPOT_INVALID_CREDENTIAL, DEPOT_NOT_AVAILABLE, ... */
  status?: string;
  message?: string;
}

export interface DepotSettings {
  vmwareAccount?: DepotAccount;
  dellEmcSupportAccount?: DepotAccount;
  offlineAccount?: DepotAccount;
  depotConfiguration?: { isOfflineDepot?: boolean; hostname?: string; port?: number };
}

export interface TaskFilter {
  taskStatus?: string;
  taskType?: string;
  resourceId?: string;
  resourceType?: string;
}

// ---- 9.0 only (UPGRADE-API.md §15) ----

/** GET /v1/upgrades/preview?bundleId=&domainId=: what an upgrade of the bundle would touch. */
export interface UpgradePreview {
  bundle: { id: string; type?: string };
  domain?: { id: string };
  upgradeItems?: {
    resourceId: string;
    bundleComponentType: string;
    /** status ELIGIBLE, NOT_ELIGIBLE, SKIPPED or NOT_AVAILABLE; details: the guardrails checked. */
    upgradeEligibility?: { status?: string; details?: { name?: string; description?: string; status?: string }[] };
  }[];
}

/** GET /v1/bundles/download-status element. */
export interface BundleDownloadStatusInfo {
  bundleId?: string;
  componentType?: string;
  version?: string;
  downloadStatus: string;
  downloadedSize?: number;
  message?: string;
}

/** GET /v1/system/settings/depot/depot-sync-info. */
export interface DepotSyncInfo {
  syncStatus: string;
  errorMessage?: string;
  lastSyncCompletionTimestamp?: string;
}
