/**
 * The documented status sequence of one domain upgrade, written out from the product description rather than
 * taken from the engine, so that the tests check the engine against the documentation.
 */
const BEFORE_THE_GATE = [
  "update_process_started",
  "downloading_bundles",
  "setting_new_vcf_version_target",
  "initializing_prechecks",
  "running_prechecks",
  "evaluating_prechecks",
  "prechecks_done",
];
const AFTER_THE_GATE = ["alerts_were_acknowledged", "starting_upgrades", "successfully_completed"];

/** A run whose prechecks found nothing: from the start to success. */
export const RUN_WITHOUT_FINDINGS: readonly string[] = [...BEFORE_THE_GATE, ...AFTER_THE_GATE];

/** A run that waited for someone to acknowledge precheck findings. */
export const RUN_WITH_ACKNOWLEDGEMENT: readonly string[] = [
  ...BEFORE_THE_GATE,
  "waiting_for_alert_acknowledgement",
  ...AFTER_THE_GATE,
];
