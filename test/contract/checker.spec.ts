import assert from "node:assert/strict";
import type { CheckedExchange } from "../support/openapi-contract";
import { checkContract, loadSpec, specLocation } from "../support/openapi-contract";
import { defined } from "../support/defined";

/** The checker must be able to fail: deliberately wrong exchanges have to be reported. */
describe("contract checker (negative cases)", function () {
  before(function () {
    if (!loadSpec()) {
      console.log(`contract: OpenAPI spec absent, skipped (looked for ${specLocation()})`);
      this.skip();
    }
  });

  const task = { id: "t-1", name: "download", status: "IN_PROGRESS", creationTimestamp: "2024-11-05T02:00:00.000Z" };
  const downloadPatch = (requestBody: unknown): CheckedExchange => ({
    seq: 1,
    method: "PATCH",
    path: "/v1/bundles/b0a1",
    requestContentType: "application/json",
    requestBody,
    status: 202,
    responseContentType: "application/json",
    responseBody: task,
  });

  it("accepts the nested bundle download body and a Task answer", function () {
    const report = checkContract([downloadPatch({ bundleDownloadSpec: { downloadNow: true } })]);
    assert.deepEqual(report.violations, []);
    assert.equal(report.requestsValidated, 1);
    assert.equal(report.responsesValidated, 1);
  });

  it("reports the flat downloadNow body", function () {
    const report = checkContract([downloadPatch({ downloadNow: true })]);
    const [violation] = report.violations;
    assert.equal(report.violations.length, 1);
    assert.equal(violation?.where, "request");
    assert.match(defined(violation, "the violation").message, /additional properties "downloadNow"/);
  });

  it("reports a status the spec and the deviations do not list", function () {
    const report = checkContract([
      {
        ...downloadPatch({ bundleDownloadSpec: { downloadNow: true } }),
        status: 418,
        responseBody: { message: "teapot" },
      },
    ]);
    const [violation] = report.violations;
    assert.equal(report.violations.length, 1);
    assert.match(defined(violation, "the violation").message, /status 418 is not in the spec/);
  });

  it("reports a response body that breaks its schema, a path outside the spec, and an undeclared method", function () {
    const report = checkContract([
      {
        method: "GET",
        path: "/v1/bundles/b0a1",
        status: 200,
        responseContentType: "application/json",
        responseBody: { id: "b0a1", type: "SDDC_MANAGER" },
      },
      { method: "GET", path: "/v1/no-such-thing", status: 200, responseBody: {} },
      { method: "PUT", path: "/v1/upgrades", status: 200, responseBody: {} },
    ]);
    const messages = report.violations.map((v) => `${v.where} ${v.path}: ${v.message}`);
    assert.ok(
      messages.some((m) => /\/v1\/bundles\/b0a1: .*downloadStatus/.test(m)),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => m.startsWith("route /v1/no-such-thing: path not in the spec")),
      messages.join("\n"),
    );
    assert.ok(
      messages.some((m) => m.startsWith("route /v1/upgrades: method PUT not in the spec")),
      messages.join("\n"),
    );
  });

  it("accepts only the documented deviations: 200 from POST /v1/tokens, metadata in a check-set run, a 503 HTML page", function () {
    const report = checkContract([
      {
        method: "POST",
        path: "/v1/tokens",
        requestContentType: "application/json",
        requestBody: { username: "u", password: "***" },
        status: 200,
        responseContentType: "application/json",
        responseBody: { accessToken: "***", refreshToken: { id: "***" } },
      },
      {
        method: "POST",
        path: "/v1/system/check-sets",
        requestContentType: "application/json",
        requestBody: {
          queryId: "q",
          resources: [
            { resourceType: "VCENTER", resourceId: "v", resourceName: "vc", checkSets: [{ checkSetId: "c" }] },
          ],
          metadata: { targetVersion: "5.2.1.0" },
        },
        status: 202,
        responseContentType: "application/json",
        responseBody: task,
      },
      {
        method: "GET",
        path: "/v1/domains",
        status: 503,
        responseContentType: "text/html",
        responseBody: "<html>503</html>",
      },
    ]);
    assert.deepEqual(report.violations, []);
    const stray = checkContract([
      {
        method: "POST",
        path: "/v1/upgrades",
        requestContentType: "application/json",
        requestBody: {
          bundleId: "b",
          resourceType: "DOMAIN",
          resourceUpgradeSpecs: [{ resourceId: "d", upgradeNow: true }],
          metadata: {},
        },
        status: 202,
        responseContentType: "application/json",
        responseBody: task,
      },
    ]);
    assert.equal(stray.violations.length, 1, "metadata is allowed only where UPGRADE-API.md records it");
  });

  it("checks the query: a parameter the operation does not declare, or a value its type refuses, is reported", function () {
    const taskList = (query: Record<string, string>): CheckedExchange => ({
      method: "GET",
      path: "/v1/tasks",
      query,
      status: 200,
      responseContentType: "application/json",
      responseBody: { elements: [task] },
    });
    const report = checkContract([
      taskList({ resourceType: "SDDC_MANAGER", taskStatus: "FAILED", pageNumber: "1", completedAfter: "0" }),
      taskList({ taskKind: "BACKUP" }),
      taskList({ pageSize: "ten" }),
    ]);
    const messages = report.violations.map((v) => `${v.where} ${v.path}: ${v.message}`);
    assert.equal(messages.length, 2, messages.join("\n"));
    assert.match(
      messages[0] ?? "",
      /^request \/v1\/tasks: query parameter "taskKind" is not in the spec \(limit, taskStatus/,
    );
    assert.match(messages[1] ?? "", /^request \/v1\/tasks: query parameter "pageSize"=ten: .*integer/);
  });
});
