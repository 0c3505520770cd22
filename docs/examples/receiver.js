#!/usr/bin/env node
// A minimal jitd webhook receiver that verifies Standard Webhooks signatures.
// Node.js 18 or newer, no packages. Run:  JITD_SECRET_FILE=/path/to/secret node receiver.js 9000
// Answers 204 to a verified delivery (after dropping a duplicate webhook-id), 401 otherwise.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');

const TOLERANCE_SECONDS = 5 * 60;

function loadKey(path) {
  const secret = fs.readFileSync(path, 'utf8').trim();
  if (!secret.startsWith('whsec_')) throw new Error('this example verifies whsec_ (HMAC) secrets only');
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

// Returns the parsed event when the delivery is authentic and fresh; throws otherwise.
function verify(key, headers, body) {
  const id = headers['webhook-id'] || '';
  const timestamp = headers['webhook-timestamp'] || '';
  const signatures = headers['webhook-signature'] || '';
  if (!id || !/^\d+$/.test(timestamp)) throw new Error('missing webhook-id or webhook-timestamp');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) throw new Error('timestamp too far from now');
  const expected = crypto.createHmac('sha256', key)
    .update(`${id}.${timestamp}.`).update(body).digest();
  // During a secret rotation jitd sends one signature per secret, separated by spaces.
  for (const candidate of signatures.split(' ')) {
    const [version, sig] = candidate.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    const given = Buffer.from(sig, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return JSON.parse(body);
  }
  throw new Error('no matching signature');
}

const key = loadKey(process.env.JITD_SECRET_FILE);
const port = Number(process.argv[2] || 9000);
const seen = new Set(); // webhook-ids already handled; use a database with expiry in production

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks); // verify the raw bytes, never a re-serialised object
    let event;
    try {
      event = verify(key, req.headers, body);
    } catch (e) {
      console.error(`refused: ${e.message}`);
      res.writeHead(401).end();
      return;
    }
    const id = req.headers['webhook-id'];
    if (!seen.has(id)) {
      seen.add(id);
      console.log(JSON.stringify({ webhook_id: id, type: event.type, data: event.data }));
    }
    res.writeHead(204).end();
  });
}).listen(port, '127.0.0.1');
