// Cross-checks smx's unit conversions against ucum-lhc (@lhncbc/ucum-lhc, pinned in
// package-lock.json). Input: the NDJSON of tests/tools/list_conversions (a file, or stdin),
// one conversion and value a line: {from, to, value, ours, molecular_weight?, charge?, rule, ...}.
//
// A line passes when ucum-lhc converts it too and both values agree within 1e-9 relative.
// Every other line is a failure and is printed with its reason, unless allowlist.tsv lists
// the pair (from, to) (to may be *: any target) with the reason the two engines are allowed to differ; those are printed
// as well ("allowed"), never skipped silently. An allow-list entry that matches no disagreement
// is stale and fails too, so the list stays true.
//
// Usage: node crosscheck.js [CONVERSIONS.ndjson]    Prints "N passed, M failed, K allowed";
// exits 1 when anything failed, 2 when the input is unusable.
'use strict';
const fs = require('fs');
const path = require('path');
const ucum = require('@lhncbc/ucum-lhc').UcumLhcUtils.getInstance();

const tolerance = 1e-9;

function readAllowList(file) {
  const entries = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const [from, to, reason] = line.split('\t');
    if (!from || !to || !reason) throw new Error(`${file}:${i + 1}: want FROM<TAB>TO<TAB>REASON`);
    entries.push({ from, to, reason, line: i + 1, used: 0 });
  });
  return entries;
}

function main() {
  const input = process.argv[2] ? fs.readFileSync(process.argv[2], 'utf8') : fs.readFileSync(0, 'utf8');
  const allowFile = path.join(__dirname, 'allowlist.tsv');
  const allow = readAllowList(allowFile);
  let passed = 0, failed = 0, allowed = 0, worst = 0;
  const lines = input.split('\n').filter((l) => l.trim());
  if (lines.length === 0) {
    console.error('crosscheck: no conversions in the input');
    process.exit(2);
  }
  for (const [i, text] of lines.entries()) {
    const c = JSON.parse(text);
    const where = `${c.from} -> ${c.to} (value ${c.value}, analyte ${c.analyte}, ${c.source} ${c.rule})`;
    let problem = null, theirs = null;
    if (c.ours === null) {
      problem = c.why || 'smx refuses this conversion';
    } else {
      const options = {};
      if (c.molecular_weight !== undefined) options.molecularWeight = c.molecular_weight;
      if (c.charge !== undefined) options.charge = c.charge;
      const r = ucum.convertUnitTo(c.from, c.value, c.to, options);
      if (r.status !== 'succeeded') {
        problem = `ucum-lhc ${r.status}: ${(r.msg || []).join(' ')}`;
      } else {
        theirs = r.toVal;
        const scale = Math.max(Math.abs(theirs), Math.abs(c.ours));
        const relative = scale === 0 ? 0 : Math.abs(theirs - c.ours) / scale;
        if (relative <= tolerance) worst = Math.max(worst, relative);
        else problem = `ours ${c.ours}, ucum-lhc ${theirs}, relative difference ${relative.toExponential(3)}`;
      }
    }
    if (!problem) {
      passed++;
      continue;
    }
    const entry = allow.find((a) => a.from === c.from && (a.to === '*' || a.to === c.to));
    if (entry && c.ours !== null) {
      entry.used++;
      allowed++;
      console.log(`allowed: ${where}: ${problem} -- ${path.basename(allowFile)}:${entry.line}: ${entry.reason}`);
    } else {
      failed++;
      console.log(`FAILED #${i + 1}: ${where}: ${problem}`);
    }
  }
  for (const a of allow.filter((a) => a.used === 0)) {
    failed++;
    console.log(`FAILED: ${path.basename(allowFile)}:${a.line}: ${a.from} -> ${a.to} is allowed to differ, but agrees (or is not listed): remove the entry`);
  }
  console.log(`largest relative difference among the agreements: ${worst.toExponential(3)}`);
  console.log(`${passed} passed, ${failed} failed, ${allowed} allowed`);
  process.exit(failed ? 1 : 0);
}

main();
