#!/usr/bin/env node
import { CliUsageError, parseCliArgs, USAGE } from "./cli-args";
import { startSimulator } from "./index";

/** `vcf-sim`: runs the SDDC Manager simulator until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let options;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError) {
      console.error(`vcf-sim: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { help: _help, ...simOptions } = options;
  const sim = await startSimulator(simOptions);
  console.log(`VCF SDDC Manager simulator listening on ${sim.url}`);
  console.log(
    `  scenario: ${simOptions.scenario ?? "happy"}, time scale: ${simOptions.timeScale} simulated s per real s`,
  );
  console.log(`  test credentials: username ${sim.credentials.username}  password ${sim.credentials.password}`);
  const loginBody = JSON.stringify({ username: sim.credentials.username, password: sim.credentials.password });
  console.log(
    `  try: curl -s${sim.caCertificatePem ? "k" : ""} -X POST ${sim.url}/v1/tokens -H 'Content-Type: application/json' -d '${loginBody}'`,
  );
  console.log(`  introspection: ${sim.url}/sim/state, ${sim.url}/sim/requests`);
  const stop = (signal: string): void => {
    console.log(`vcf-sim: ${signal} received, stopping`);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`vcf-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
