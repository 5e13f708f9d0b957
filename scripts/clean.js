// Removes compiled output from nodes/ (hand-written .html, locales and icons/ sources stay).
const fs = require("node:fs");
const path = require("node:path");

const nodesDir = path.join(__dirname, "..", "nodes");

function removeCompiled(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "locales") continue;
      removeCompiled(full);
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    } else if (/\.(js|d\.ts)$/.test(entry.name)) {
      fs.unlinkSync(full);
    }
  }
}

removeCompiled(nodesDir);
fs.rmSync(path.join(nodesDir, "icons"), { recursive: true, force: true });
fs.rmSync(path.join(__dirname, "..", ".test-build"), { recursive: true, force: true });
