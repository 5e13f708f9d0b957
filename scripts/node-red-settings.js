// Node-RED settings for `npm start` and the browser tests: this package loaded from the repository,
// a local user directory, no telemetry prompt, no palette installs. Ports come from the environment.
const path = require("node:path");

const repoRoot = path.join(__dirname, "..");

module.exports = {
  uiHost: process.env.VCF_DEMO_HOST || "127.0.0.1",
  uiPort: Number(process.env.PORT || 1880),
  flowFile: "flows.json",
  // Encrypts flows_cred.json in the demo's git-ignored user directory; a real install sets its own.
  credentialSecret: process.env.VCF_DEMO_CREDENTIAL_SECRET || "vcf-upgrade-demo-only",
  // A directory whose package.json has a "node-red" section is loaded as that module, examples included.
  nodesDir: [repoRoot],
  contextStorage: { default: { module: "memory" }, file: { module: "localfilesystem" } },
  editorTheme: {
    tours: false,
    projects: { enabled: false },
    // The browser tests set "ace": no node of this package uses a code editor, and Monaco (the default) makes every
    // editor page load 4 MB more script, about half of the page's load time on a busy machine.
    codeEditor: { lib: process.env.VCF_DEMO_CODE_EDITOR || "monaco" },
  },
  telemetry: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  logging: { console: { level: process.env.VCF_DEMO_LOG_LEVEL || "info", metrics: false, audit: false } },
};
