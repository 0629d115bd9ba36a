// Validates an OpenAPI document (JSON or YAML file) against the official OpenAPI JSON schemas,
// and checks that its internal $refs resolve.
//   node validate.mjs FILE   prints each error on one line; exits 0 valid, 1 invalid, 2 misuse
import { Validator } from "@seriousme/openapi-schema-validator";

const [file, ...rest] = process.argv.slice(2);
if (!file || rest.length > 0) {
  console.error("usage: node validate.mjs FILE");
  process.exit(2);
}

const validator = new Validator();
const result = await validator.validate(file);
if (result.valid) {
  console.log(`${file}: valid OpenAPI ${validator.version}`);
  process.exit(0);
}
// errors is a message (unreadable file, no version, a $ref that does not resolve) or Ajv's list.
const errors = Array.isArray(result.errors) ? result.errors : [result.errors];
for (const e of errors) {
  if (typeof e === "string") {
    console.log(`${file}: ${e}`);
  } else {
    const detail = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : "";
    console.log(`${file}: ${e.instancePath || "/"} ${e.message}${detail}`);
  }
}
process.exit(1);
