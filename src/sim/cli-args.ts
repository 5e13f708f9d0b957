import { isScenarioName } from "./scenarios";
import type { SimulatorOptions } from "./types";
import { SCENARIO_NAMES } from "./types";

/** Parses and validates `vcf-sim` arguments; errors name the flag and the fix. */

export class CliUsageError extends Error {}

export const USAGE = `Usage: vcf-sim [--port N|0] [--tls] [--scenario NAME] [--time-scale X] [--domains N] [--host H]
  --port N        listen port, 0 for a free one (default 8443 with --tls, else 8080)
  --tls           serve HTTPS with a self-signed certificate generated at start
  --scenario NAME ${SCENARIO_NAMES.join(" | ")} (default happy)
  --time-scale X  simulated seconds per real second (default 60)
  --domains N     number of VI domains (default 1; many-domains defaults to 5)
  --host H        listen address (default 127.0.0.1)`;

export interface CliOptions extends SimulatorOptions {
  help?: boolean;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { timeScale: 60 };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? "";
    const value = (): string => {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith("--")) throw new CliUsageError(`${flag} needs a value. ${hint(flag)}`);
      i += 1;
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        options.help = true;
        break;
      case "--tls":
        options.tls = true;
        break;
      case "--port":
        options.port = integer(flag, value(), 0, 65535);
        break;
      case "--domains":
        options.domains = integer(flag, value(), 1, 50);
        break;
      case "--time-scale": {
        const raw = value();
        const n = Number(raw);
        if (!Number.isFinite(n) || n <= 0)
          throw new CliUsageError(`--time-scale must be a number above 0, got '${raw}'. ${hint(flag)}`);
        options.timeScale = n;
        break;
      }
      case "--scenario": {
        const raw = value();
        if (!isScenarioName(raw)) throw new CliUsageError(`--scenario '${raw}' is unknown. ${hint(flag)}`);
        options.scenario = raw;
        break;
      }
      case "--host":
        options.host = value();
        break;
      default:
        throw new CliUsageError(`Unknown argument '${flag}'. Run vcf-sim --help for the options.`);
    }
  }
  if (options.port === undefined) options.port = options.tls ? 8443 : 8080;
  return options;
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliUsageError(`${flag} must be an integer from ${min} to ${max}, got '${raw}'. ${hint(flag)}`);
  return n;
}

function hint(flag: string): string {
  switch (flag) {
    case "--scenario":
      return `Use one of: ${SCENARIO_NAMES.join(", ")}.`;
    case "--port":
      return "Example: --port 8080 (or --port 0 for a free port).";
    case "--time-scale":
      return "Example: --time-scale 60 (one real second = one simulated minute).";
    case "--domains":
      return "Example: --domains 3.";
    default:
      return "Example: --host 127.0.0.1.";
  }
}
