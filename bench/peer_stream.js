// Reads a file of concatenated HL7 v2 messages the way a careful Node user would: a read
// stream in 1 MiB chunks, cut at each "MSH|" that starts a segment, parse each message with
// simple-hl7 (or PEER=medplum: @medplum/core), read every OBX-5. Prints message and OBX
// counts. For bench/run's peak-RSS step (issue 5, item 5); readFileSync cannot even hold 1 GB
// as a string in V8.
// Usage: NODE_PATH=/tmp/hl7peers/node_modules [PEER=medplum] node bench/peer_stream.js FILE
'use strict';
const fs = require('fs');
let parse, obx5;
if (process.env.PEER === 'medplum') {
  const { Hl7Message } = require('@medplum/core');
  parse = s => Hl7Message.parse(s);
  obx5 = m => m.getAllSegments('OBX').map(seg => seg.getField(5).toString());
} else {
  const simple = require('simple-hl7');
  const p = new simple.Parser();
  parse = s => p.parse(s);
  obx5 = m => m.getSegments('OBX').map(seg => seg.getField(5));
}
const start = /(?:^|(?<=[\r\n]))MSH\|/g;
let pending = '';
let n = 0, obx = 0;
function one(text) {
  const m = parse(text.replace(/\r\n|\n/g, '\r').replace(/\r+$/, ''));
  obx += obx5(m).length;
  n++;
}
function drain(final) {
  const starts = [];
  for (const m of pending.matchAll(start)) starts.push(m.index);
  for (let i = 0; i + 1 < starts.length; i++) one(pending.slice(starts[i], starts[i + 1]));
  pending = starts.length ? pending.slice(starts[starts.length - 1]) : pending;
  if (final && pending.trim()) { one(pending); pending = ''; }
}
fs.createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 20 })
  .on('data', chunk => { pending += chunk; drain(false); })
  .on('end', () => { drain(true); console.log(n, obx); });
