// Editor code shared by this package's node files. Node-RED serves the package's resources/ folder at
// resources/<package name>/, and each node file loads this script before its own (a node file is loaded on its own,
// so each one names what it needs; the first load defines VcfEditor, later ones keep it).
(function () {
  "use strict";
  if (window.VcfEditor) return;

  // The shared messages live in the vcf-config catalog (nodes/locales/<lang>/vcf-config.json, "validation").
  var MESSAGES = "@vcf-lcm/node-red-vcf-upgrade/vcf-config:vcf-config.validation.";

  function message(key, values) {
    return RED._(MESSAGES + key, values);
  }

  function isBlank(value) {
    return value === undefined || value === null || String(value).trim() === "";
  }

  /**
   * Whether a number field's value is in range. range: min (inclusive; or, with aboveMin, the value must be
   * greater), max (for numbers that are not integer), integer, step (of the spinner's arrows, default 1),
   * blankAllowed (empty means the runtime's default).
   */
  function inRange(value, range) {
    if (isBlank(value)) return range.blankAllowed === true;
    var text = String(value).trim();
    var n = Number(text);
    var shapeOk = range.integer ? /^\d+$/.test(text) : /^\d*\.?\d+$/.test(text);
    return shapeOk && (range.aboveMin ? n > range.min : n >= range.min) && (range.max === undefined || n <= range.max);
  }

  // The forms have whole numbers without an upper bound (counts, sizes) and numbers with one (times).
  function describe(range) {
    var key = range.integer
      ? range.max === undefined
        ? "wholeNumberAtLeast"
        : "wholeNumberBetween"
      : range.aboveMin
        ? "numberAboveBetween"
        : "numberBetween";
    return message(key, { min: range.min, max: range.max });
  }

  /**
   * The message for a field, led by the field's label from the node's catalog (<type>.label.<field>), so that the
   * list of invalid properties on a node names the fields too.
   */
  function fieldMessage(node, field, text) {
    var label = node && typeof node._ === "function" ? node._(node.type + ".label." + field) : "";
    return label ? label + ": " + text : text;
  }

  /**
   * A validator as Node-RED 4.1 calls it, validate(value, opt) with the node as this: true when the value is fine;
   * otherwise, when the editor passes opt (it always does), the message saying what to enter, which the edit dialog
   * shows at the field; false without opt.
   */
  function numberValidator(field, range) {
    return function (value, opt) {
      if (inRange(value, range)) return true;
      return opt ? fieldMessage(this, field, describe(range)) : false;
    };
  }

  /**
   * A validator from a test: check(value, node) is true when the value is fine; the message is
   * vcf-config.validation.<messageKey> (default: the field's name).
   */
  function validator(field, check, messageKey) {
    return function (value, opt) {
      if (check(value, this)) return true;
      return opt ? fieldMessage(this, field, message(messageKey || field)) : false;
    };
  }

  /**
   * Turns the number fields into spinners whose arrows stay in range: prefix is "node-input-" or
   * "node-config-input-", ranges maps field names to the ranges their validators use.
   */
  function spinners(prefix, ranges) {
    Object.keys(ranges).forEach(function (field) {
      var range = ranges[field];
      var step = range.step || 1;
      $("#" + prefix + field).spinner({
        // A minimum the value must exceed is not offered by the arrows: they start one step above it.
        min: range.aboveMin ? range.min + step : range.min,
        max: range.max,
        step: step,
      });
    });
  }

  /**
   * Tabs in an edit dialog, as core's config nodes have them: listId is the <ul>, each tab {id, label} names a
   * <div> of the form (hidden until its tab is picked) and its label's catalog key.
   */
  function tabs(node, listId, list) {
    var contents = list.map(function (tab) {
      return "#" + tab.id;
    });
    var created = RED.tabs.create({
      id: listId,
      onchange: function (tab) {
        $(contents.join(",")).hide();
        $("#" + tab.id).show();
      },
    });
    list.forEach(function (tab) {
      created.addTab({ id: tab.id, label: node._(tab.label) });
    });
    return created;
  }

  // The phase and status nodes share their labels: each catalog has paletteLabel and outputLabel.
  function paletteLabel() {
    return this._(this.type + ".paletteLabel");
  }
  function label() {
    return this.name || this._(this.type + ".paletteLabel");
  }
  function labelStyle() {
    return this.name ? "node_label_italic" : "";
  }
  function outputLabels() {
    return this._(this.type + ".outputLabel");
  }

  var IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

  /** An IPv4 address; with mask, a subnet mask (its ones contiguous from the left), as the engine checks them. */
  function isIpv4(value, mask) {
    var text = String(value === undefined || value === null ? "" : value).trim();
    if (!IPV4.test(text)) return false;
    if (!mask) return true;
    var bits = text
      .split(".")
      .map(function (part) {
        return ("00000000" + Number(part).toString(2)).slice(-8);
      })
      .join("");
    return /^1+0*$/.test(bits);
  }

  /**
   * Checkboxes the runtime treats as on when the node has no value (saved before the option existed): the dialog
   * shows them on too, so that saving it does not turn them off unasked.
   */
  function onUnlessSaved(node, names) {
    names.forEach(function (name) {
      if (node[name] === undefined) $("#node-input-" + name).prop("checked", true);
    });
  }

  var MARKDOWN_CAP = { min: 256, integer: true };
  // Keep in step with VERSION_PATTERN (src/adapters/domain-ref.ts); empty: the release a run would choose.
  var TARGET_VERSION = /^$|^\d+\.\d+\.\d+(\.\d+)?$/;

  window.VcfEditor = {
    numberValidator: numberValidator,
    inRange: inRange,
    isIpv4: isIpv4,
    validator: validator,
    fieldMessage: fieldMessage,
    spinners: spinners,
    tabs: tabs,
    paletteLabel: paletteLabel,
    label: label,
    labelStyle: labelStyle,
    outputLabels: outputLabels,
    /** The validator of the phase and status nodes' markdown log cap: whole bytes, at least 256 (room for the log's header). */
    markdownCap: numberValidator("markdownMaxBytes", MARKDOWN_CAP),
    /** The validator of the nodes' target version: empty, or a VCF version such as 5.2.1.0. */
    targetVersion: validator("targetVersion", function (v) {
      return TARGET_VERSION.test(v || "");
    }),
    /** For oneditprepare of the nodes with a markdown log cap. */
    markdownCapSpinner: function () {
      spinners("node-input-", { markdownMaxBytes: MARKDOWN_CAP });
    },
    onUnlessSaved: onUnlessSaved,
    /** For oneditprepare of the four phase nodes (`this` is the node): the markdown cap and the cancel checkbox. */
    phaseDialog: function () {
      spinners("node-input-", { markdownMaxBytes: MARKDOWN_CAP });
      onUnlessSaved(this, ["cancelInSddcManager"]);
    },
  };
})();
