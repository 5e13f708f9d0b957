import * as assert from "node:assert/strict";
import { evaluateAssessment, extractFindings } from "../../nodes/engine";
import type { AssessmentOutput } from "../../nodes/vcf/types";

function check(name: string, severity: string, status: string, resource?: string, extra: Record<string, unknown> = {}) {
  return {
    errorCode: `BASELINER_CONSTRAINT_VALIDATION.${severity.toLowerCase()}`,
    context: {
      severity,
      validationName: name,
      validationStatus: status,
      ...(resource ? { resourceName: resource } : {}),
    },
    message: `${name} message`,
    nestedErrors: [],
    ...extra,
  };
}

function summary(entries: Record<string, number>[]): Record<string, unknown> {
  return { "validation-domain-summary": entries };
}

describe("engine: precheck findings", () => {
  it("walks nested results recursively, keeping failed ERROR/WARNING checks with their resource", () => {
    const a: AssessmentOutput = {
      status: "COMPLETED_WITH_FAILURE",
      validationResult: {
        errorCode: "TOP.error",
        context: { severity: "ERROR" },
        message: "top",
        nestedErrors: [
          check("NSX cluster", "ERROR", "VALIDATION_FAILED", "nsx01", { remediationMessage: "Fix the NSX cluster" }),
          {
            errorCode: "GROUP",
            context: { resourceName: "cl01" },
            message: "group",
            nestedErrors: [
              check("HCL age", "WARNING", "VALIDATION_FAILED"),
              check("Password", "CRITICAL", "VALIDATION_FAILED"),
            ],
          },
          check("Out-of-band", "INFO", "VALIDATION_SUCCESSFUL"),
          check("Passed warning", "WARNING", "VALIDATION_SUCCESSFUL"),
        ],
      },
    };
    const f = extractFindings(a);
    assert.deepEqual(
      f.map((x) => [x.name, x.severity, x.resource]),
      [
        ["NSX cluster", "ERROR", "nsx01"],
        ["HCL age", "WARNING", "cl01"],
        ["Password", "ERROR", "cl01"],
      ],
    );
    assert.equal(f[0]?.remediation, "Fix the NSX cluster");
    assert.equal(f[0]?.code, "BASELINER_CONSTRAINT_VALIDATION.error");
    assert.equal(f[1]?.description, "HCL age message");
  });

  it("sums the counts over every domain entry and adds a finding for problems the tree does not name", () => {
    const a: AssessmentOutput = {
      status: "COMPLETED_WITH_FAILURE",
      presentedArtifactsMap: summary([
        {
          warningGapsCount: 1.0,
          criticalGapsCount: 0.0,
          errorValidationsCount: 0.0,
          internalErrorValidationsCount: 0.0,
        },
        {
          warningGapsCount: 0.0,
          criticalGapsCount: 1.0,
          errorValidationsCount: 1.0,
          internalErrorValidationsCount: 1.0,
        },
      ]),
      validationResult: { errorCode: "TOP", nestedErrors: [check("A", "WARNING", "VALIDATION_FAILED")] },
    };
    const r = evaluateAssessment(a);
    assert.deepEqual(r.counts, { errors: 3, warnings: 1 });
    assert.equal(r.runFailure, undefined);
    const errors = r.findings.filter((x) => x.severity === "ERROR");
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.description ?? "", /3 blocking/);
  });

  it("reports input validation errors as a failed run, not as findings", () => {
    const r = evaluateAssessment({
      status: "COMPLETED_WITH_FAILURE",
      inputValidationErrors: [
        { errorCode: "CHECKSET_QUERY_NOT_FOUND", message: "query expired", remediationMessage: "Query again" },
      ],
    });
    assert.deepEqual(r.runFailure, { message: "query expired", remediation: "Query again" });
  });

  it("reads COMPLETED_WITH_FAILURE without any finding as a failed run", () => {
    const r = evaluateAssessment({
      status: "COMPLETED_WITH_FAILURE",
      validationResult: { errorCode: "X", message: "discovery failed" },
    });
    assert.equal(r.findings.length, 0);
    assert.equal(r.runFailure?.message, "discovery failed");
  });

  it("finds nothing in a clean run", () => {
    const r = evaluateAssessment({
      status: "COMPLETED_WITH_SUCCESS",
      presentedArtifactsMap: summary([{ warningGapsCount: 0, criticalGapsCount: 0, errorValidationsCount: 0 }]),
      validationResult: {
        errorCode: "TOP.info",
        context: { severity: "INFO" },
        nestedErrors: [check("Out-of-band", "INFO", "VALIDATION_SUCCESSFUL")],
      },
    });
    assert.deepEqual(r, { findings: [], counts: { errors: 0, warnings: 0 } });
  });
});

describe("engine: bounds on precheck findings", () => {
  it("keeps at most 200 findings, errors first, and counts the rest in one finding", () => {
    const nested = [
      ...Array.from({ length: 300 }, (_, i) => check(`warn ${i}`, "WARNING", "VALIDATION_FAILED")),
      ...Array.from({ length: 5 }, (_, i) => check(`err ${i}`, "ERROR", "VALIDATION_FAILED")),
    ];
    const findings = extractFindings({
      status: "COMPLETED_WITH_FAILURE",
      validationResult: { context: {}, nestedErrors: nested },
    });
    assert.equal(findings.length, 200);
    assert.deepEqual(
      findings.slice(0, 5).map((f) => f.name),
      ["err 0", "err 1", "err 2", "err 3", "err 4"],
    );
    assert.equal(findings.at(-1)?.name, "More precheck findings");
    assert.match(findings.at(-1)?.description ?? "", /^106 more finding\(s\) were not kept/);
  });

  it("cuts SDDC Manager's texts in a finding, saying how much was left out", () => {
    const long = "y".repeat(5000);
    const [f] = extractFindings({
      status: "COMPLETED_WITH_FAILURE",
      validationResult: {
        context: {},
        nestedErrors: [
          check(long, "ERROR", "VALIDATION_FAILED", long, { message: long, remediationMessage: long, errorCode: long }),
        ],
      },
    });
    assert.ok(f);
    assert.equal(f.name, `${"y".repeat(200)}… (4800 more characters)`);
    assert.equal(f.resource, `${"y".repeat(200)}… (4800 more characters)`);
    assert.equal(f.code, `${"y".repeat(200)}… (4800 more characters)`);
    assert.equal(f.description, `${"y".repeat(1000)}… (4000 more characters)`);
    assert.equal(f.remediation, `${"y".repeat(1000)}… (4000 more characters)`);
  });
});
