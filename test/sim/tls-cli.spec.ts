import { strict as assert } from "node:assert";
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { request } from "node:https";
import { resolve } from "node:path";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, elements, login } from "../support/sim-http";

const CLI = resolve(__dirname, "../../nodes/sim/cli.js");

function httpsGet(url: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { ca, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

/** Resolves with the first stdout line that matches, or rejects when the process exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) done(m);
    });
    child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
    child.on("exit", (code) => fail(new Error(`exited with ${code}: ${err}`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => done({ code, stderr }));
  });
}

describe("simulator: HTTPS and the vcf-sim CLI", function () {
  let sim: RunningSimulator | undefined;
  afterEach(async () => sim?.stop());

  it("serves HTTPS with a generated certificate that verifies against its PEM, and is refused without it", async () => {
    sim = await startSimulator({ tls: true });
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(sim.caCertificatePem ?? "", /BEGIN CERTIFICATE/);
    const res = await httpsGet(`${sim.url}/v1/domains`, sim.caCertificatePem);
    assert.equal(res.status, 401);
    assert.match(res.body, /Unauthorized/);
    await assert.rejects(httpsGet(`${sim.url}/v1/domains`, undefined), /self[- ]signed|unable to verify/i);
  });

  it("starts from the command line, prints URL and credentials, serves a token and the domains, stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--time-scale", "100", "--scenario", "happy"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const fake = {
        url: url ?? "",
        credentials: { username: "administrator@vsphere.local", password: "VMware123!Sim" },
      } as RunningSimulator;
      const token = await login(fake);
      assert.equal((await elements(fake, "/v1/domains", token)).length, 2);
      assert.equal((await call(fake, "GET", "/sim/state")).status, 200);
    } finally {
      const exited = exitOf(child);
      if (child.pid) process.kill(child.pid, "SIGTERM");
      assert.equal((await exited).code, 0);
    }
  });

  it("rejects bad arguments naming the flag and the fix", async () => {
    const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
      exitOf(spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] }));
    const [scenario, port] = await Promise.all([run(["--scenario", "nope"]), run(["--port", "abc"])]);
    assert.equal(scenario.code, 2);
    assert.match(scenario.stderr, /--scenario 'nope' is unknown\. Use one of: happy/);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be an integer/);
  });
});
