// Standard Webhooks verification on its own: signatures computed here with node:crypto, as the server does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from '../src/index.js';

const KEY = Buffer.from('a secret of thirty-two bytes....');
const SECRET = `whsec_${KEY.toString('base64')}`;
const NOW = 1_767_225_600;
const BODY = '{"id":42,"state":"done","worker_status":3,"context":"mailing","return_code":200,"output":"ok","error":null}';

function signature(key, id, timestamp, body) {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function headers(overrides = {}) {
  return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': signature(KEY, 'msg_1', NOW, BODY),
    ...overrides };
}

describe('Webhook', () => {
  it('verifies a signed body and returns it parsed', () => {
    assert.deepEqual(new Webhook(SECRET).verify(BODY, headers(), { now: NOW }), JSON.parse(BODY));
  });

  it('signs as the server does', () => {
    assert.equal(new Webhook(SECRET).sign('msg_1', NOW, BODY), headers()['webhook-signature']);
  });

  it('takes the raw body as bytes, and a body that is not JSON as text', () => {
    const text = 'plain text, not JSON: ü';
    const h = headers({ 'webhook-signature': signature(KEY, 'msg_1', NOW, text) });
    assert.equal(new Webhook(SECRET).verify(Buffer.from(text), h, { now: NOW }), text);
  });

  it('a secret without whsec_ is used as text, as the server uses it', () => {
    const h = headers({ 'webhook-signature': signature(Buffer.from('plain secret'), 'msg_1', NOW, BODY) });
    assert.equal(new Webhook('plain secret').verify(BODY, h, { now: NOW }).id, 42);
    assert.throws(() => new Webhook(SECRET).verify(BODY, h, { now: NOW }), WebhookVerificationError);
  });

  it('accepts any one of several signatures, and ignores other versions', () => {
    const other = signature(Buffer.from('rotated-out key'), 'msg_1', NOW, BODY);
    const h = headers({ 'webhook-signature': `${other} v2,abc ${headers()['webhook-signature']}` });
    assert.equal(new Webhook(SECRET).verify(BODY, h, { now: NOW }).id, 42);
    assert.throws(() => new Webhook(SECRET).verify(BODY, headers({ 'webhook-signature': `${other} v2,abc` }),
      { now: NOW }), /no webhook-signature matches/);
  });

  it('refuses a changed body, id or timestamp', () => {
    const webhook = new Webhook(SECRET);
    assert.throws(() => webhook.verify(BODY.replace('done', 'fail'), headers(), { now: NOW }), WebhookVerificationError);
    assert.throws(() => webhook.verify(BODY, headers({ 'webhook-id': 'msg_2' }), { now: NOW }), WebhookVerificationError);
    assert.throws(() => webhook.verify(BODY, headers({ 'webhook-timestamp': String(NOW + 1) }), { now: NOW }),
      WebhookVerificationError);
  });

  it('refuses timestamps outside the tolerance, either way', () => {
    const webhook = new Webhook(SECRET, { tolerance: 60 });
    assert.equal(webhook.verify(BODY, headers(), { now: NOW + 60 }).id, 42);
    assert.equal(webhook.verify(BODY, headers(), { now: NOW - 60 }).id, 42);
    assert.throws(() => webhook.verify(BODY, headers(), { now: NOW + 61 }), /off this clock/);
    assert.throws(() => webhook.verify(BODY, headers(), { now: NOW - 61 }), /off this clock/);
    assert.throws(() => webhook.verify(BODY, headers({ 'webhook-timestamp': '1e9' }), { now: NOW }), /not a number/);
  });

  it('refuses missing headers and finds them in any case, also in a Headers object', () => {
    const webhook = new Webhook(SECRET);
    const { 'webhook-signature': ignored, ...unsigned } = headers();
    assert.throws(() => webhook.verify(BODY, unsigned, { now: NOW }), /missing/);
    const upper = Object.fromEntries(Object.entries(headers()).map(([k, v]) => [k.toUpperCase(), v]));
    assert.equal(webhook.verify(BODY, upper, { now: NOW }).id, 42);
    assert.equal(webhook.verify(BODY, new Headers(headers()), { now: NOW }).id, 42);
  });

  it('refuses a signature of another length without comparing it', () => {
    const h = headers({ 'webhook-signature': 'v1,c2hvcnQ=' });
    assert.throws(() => new Webhook(SECRET).verify(BODY, h, { now: NOW }), WebhookVerificationError);
  });

  it('needs a secret', () => {
    assert.throws(() => new Webhook(''), TypeError);
  });
});
