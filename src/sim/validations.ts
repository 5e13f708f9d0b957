import type { SimContext } from "./context";
import type { ErrorBody } from "./errors";
import { ApiError, errorBody, notFound } from "./errors";
import type { SimDomain } from "./inventory";
import { findRelease } from "./inventory";
import { notApplicableReason, readDomainRelease } from "./releases";
import { speaks90 } from "./generation";
import { compareVersions } from "./versions";

/** Target validations: POST /v1/releases/domains/{id}/validations and GET .../validations/{id} (§7). */

interface ValidationRecord {
  id: string;
  domain: SimDomain;
  targetVersion: string;
  createdMs: number;
  failure?: ErrorBody;
  result: "SUCCEEDED" | "FAILED_WITH_WARNINGS";
}

export class ValidationService {
  private readonly records = new Map<string, ValidationRecord>();

  constructor(private readonly ctx: SimContext) {}

  start(domain: SimDomain, body: unknown): unknown {
    const version = readDomainRelease(body, this.ctx.strict, speaks90(this.ctx.inventory));
    if (version === domain.vcfVersion) {
      throw new ApiError(
        400,
        "SAME_SOURCE_AND_TARGET_VCF_VERSION_BUT_NO_PATCHLIST",
        `Source and target VCF versions are the same (${version}) and no patches were specified`,
        "Choose a newer target version or specify product patches.",
        [version],
      );
    }
    const release = findRelease(version);
    const reason = !release
      ? `VCF release ${version} does not exist`
      : compareVersions(version, domain.vcfVersion) < 0
        ? `${version} is older than the domain's version ${domain.vcfVersion}`
        : notApplicableReason(release, domain)?.message;
    const record: ValidationRecord = {
      id: this.ctx.ids.next("validation"),
      domain,
      targetVersion: version,
      createdMs: this.ctx.clock.nowMs(),
      failure: reason
        ? errorBody(
            "TARGET_VERSION_NOT_APPLICABLE",
            `Target version ${version} is not applicable to domain ${domain.name} at version ${domain.vcfVersion}: ${reason}`,
            { remediationMessage: "Select an applicable release from future-releases." },
          )
        : undefined,
      result: this.ctx.faults().validationResult,
    };
    this.records.set(record.id, record);
    return this.render(record);
  }

  get(id: string): unknown {
    const record = this.records.get(id);
    if (!record)
      throw notFound(
        "Validation",
        id,
        "VALIDATION_NOT_FOUND",
        "Use the id returned by POST /v1/releases/domains/{id}/validations.",
      );
    return this.render(record);
  }

  private render(record: ValidationRecord): unknown {
    const faults = this.ctx.faults();
    const done =
      !faults.validationNeverFinishes &&
      this.ctx.clock.nowMs() >= record.createdMs + faults.durations.targetValidationSeconds * 1000;
    const description = `Validating target version ${record.targetVersion} for domain ${record.domain.name}`;
    if (!done) {
      return {
        id: record.id,
        description,
        executionStatus: "IN_PROGRESS",
        resultStatus: "UNKNOWN",
        validationChecks: [
          { description: "Target release compatibility", severity: "ERROR", resultStatus: "IN_PROGRESS" },
          { description: "Bundle availability for target release", severity: "WARNING", resultStatus: "IN_PROGRESS" },
        ],
      };
    }
    const warn = !record.failure && record.result === "FAILED_WITH_WARNINGS";
    const compatibility: Record<string, unknown> = {
      description: "Target release compatibility",
      severity: "ERROR",
      resultStatus: record.failure ? "FAILED" : "SUCCEEDED",
    };
    if (record.failure) compatibility.errorResponse = record.failure;
    // 9.0 needs only resultStatus in a check: this one comes without description and severity, as 9.0 allows.
    const api90 = speaks90(this.ctx.inventory);
    const availability: Record<string, unknown> = api90
      ? { resultStatus: warn ? "FAILED" : "SUCCEEDED", acknowledge: false }
      : {
          description: "Bundle availability for target release",
          severity: "WARNING",
          resultStatus: warn ? "FAILED" : "SUCCEEDED",
        };
    if (warn) {
      availability.errorResponse = errorBody(
        "BUNDLES_NOT_DOWNLOADED",
        `Not every bundle of ${record.targetVersion} is downloaded yet`,
        { remediationMessage: "Download the bundles before upgrading." },
      );
    }
    return {
      id: record.id,
      description,
      executionStatus: "COMPLETED",
      resultStatus: record.failure ? "FAILED" : warn && api90 ? "WARNING" : record.result,
      validationChecks: [compatibility, availability],
    };
  }
}
