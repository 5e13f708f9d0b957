// Node-RED looks for icons only beside the node files, so icons/ is copied into nodes/icons/.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const source = path.join(root, "icons");
const target = path.join(root, "nodes", "icons");

fs.mkdirSync(target, { recursive: true });
for (const name of fs.readdirSync(source)) {
  fs.copyFileSync(path.join(source, name), path.join(target, name));
}
// The simulator CLI is the package's bin: make it executable after every compile.
const cli = path.join(root, "nodes", "sim", "cli.js");
if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
