// Control messages of vcf-await-ack, e.g. from a dashboard button or a Home Assistant button and switch.
import type { AckPolicy } from "../engine";
import { InputError } from "./errors";
import { t } from "./i18n";
import type { NodeMessage } from "./node-red-types";

export interface AckControl {
  /** msg.acknowledge === true, or msg.payload === "acknowledge". */
  acknowledge: boolean;
  /** msg.ignoreAlerts, or msg.payload when msg.topic is "ignoreAlerts"; "default": back to the node's checkbox. */
  ignoreAlerts?: boolean | typeof CHECKBOX_DEFAULT;
}

/** The ignoreAlerts value that forgets the one set by an earlier message. */
export const CHECKBOX_DEFAULT = "default";

export function readAckControl(msg: NodeMessage): AckControl {
  const control: AckControl = { acknowledge: readAcknowledge(msg.acknowledge) || msg.payload === "acknowledge" };
  if (msg.ignoreAlerts !== undefined) {
    control.ignoreAlerts = readIgnoreAlerts(msg.ignoreAlerts, "msg.ignoreAlerts");
  } else if (msg.topic === "ignoreAlerts") {
    control.ignoreAlerts = readIgnoreAlerts(msg.payload, "msg.payload (topic ignoreAlerts)");
  }
  return control;
}

/** The gate's settings from the node's checkboxes. */
export interface AckNodeSettings {
  ignoreAlerts?: boolean;
  alsoIgnoreErrors?: boolean;
  failOnErrors?: boolean;
}

export function ackPolicy(settings: AckNodeSettings, ignoreAlertsOverride?: boolean): AckPolicy {
  return {
    ignoreAlerts: ignoreAlertsOverride ?? settings.ignoreAlerts === true,
    alsoIgnoreErrors: settings.alsoIgnoreErrors === true,
    failOnErrors: settings.failOnErrors === true,
  };
}

/** msg.acknowledge: exactly true releases; false or absent does not; anything else (e.g. the text "true") is refused. */
function readAcknowledge(value: unknown): boolean {
  if (value === undefined || value === null || typeof value === "boolean") return value === true;
  throw new InputError("msg.acknowledge", t("vcf-await-ack.errors.acknowledge", { value: describeValue(value) }));
}

function describeValue(value: unknown): string {
  return typeof value === "string"
    ? t("vcf-config.value.text", { text: JSON.stringify(value) })
    : t("vcf-config.value.typed", { type: typeof value, value: JSON.stringify(value) ?? String(value) });
}

function readIgnoreAlerts(value: unknown, field: string): boolean | typeof CHECKBOX_DEFAULT {
  if (typeof value !== "boolean" && value !== CHECKBOX_DEFAULT) {
    throw new InputError(
      field,
      t("vcf-await-ack.errors.ignoreAlerts", {
        field,
        checkbox: CHECKBOX_DEFAULT,
        value: JSON.stringify(value) ?? String(value),
      }),
    );
  }
  return value;
}
