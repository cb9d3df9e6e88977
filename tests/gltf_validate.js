// Validates one glTF or GLB file with the Khronos glTF validator and prints its JSON report on stdout.
// Usage: node tests/gltf_validate.js VALIDATOR_DIR FILE  (VALIDATOR_DIR: the gltf-validator npm package folder)
"use strict";
const fs = require("fs");
const path = require("path");

const [validatorDir, file] = process.argv.slice(2);
const validator = require(path.resolve(validatorDir));
const fullPath = path.resolve(file);

validator
  .validateBytes(new Uint8Array(fs.readFileSync(fullPath)), {
    uri: path.basename(fullPath),
    maxIssues: 0,
    externalResourceFunction: (uri) =>
      new Promise((resolve, reject) => {
        fs.readFile(path.resolve(path.dirname(fullPath), decodeURIComponent(uri)), (err, data) =>
          err ? reject(err.toString()) : resolve(new Uint8Array(data)),
        );
      }),
  })
  .then(
    (report) => console.log(JSON.stringify(report)),
    (error) => {
      console.error(String(error));
      process.exit(2);
    },
  );
