import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';

/**
 * The receiving side of Queue Server's callbacks, signed per Standard Webhooks
 * (https://www.standardwebhooks.com/): `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 *
 * The secret is the server's `QUEUE_CALLBACK_SECRET`: `whsec_<base64>` is base64-decoded, any other text is used
 * as it is (the server's rule).
 */
export class Webhook {
  /**
   * @param {string} secret
   * @param {{tolerance?: number}} [options] seconds a timestamp may be off the receiver's clock (default 300)
   */
  constructor(secret, { tolerance = 300 } = {}) {
    if (typeof secret !== 'string' || secret === '') {
      throw new TypeError('a webhook secret is required');
    }
    this.key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
    this.tolerance = tolerance;
  }

  /**
   * The signature header value for a body, as the server computes it.
   * @param {string} id @param {number} timestamp seconds @param {string | Uint8Array} payload
   */
  sign(id, timestamp, payload) {
    return `v1,${this.#digest(id, timestamp, payload).toString('base64')}`;
  }

  /**
   * Checks a received callback and returns its body (parsed when it is JSON, else the text).
   * @param {string | Uint8Array} payload the raw body, exactly as received
   * @param {Record<string, string | string[] | undefined> | Headers} headers
   * @param {{now?: number}} [options] the receiver's time in seconds (default: the clock)
   * @throws {WebhookVerificationError}
   */
  verify(payload, headers, { now = Math.floor(Date.now() / 1000) } = {}) {
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signatures = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures) {
      throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
    }
    if (!/^\d{1,15}$/.test(timestamp)) {
      throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
    }
    const seconds = Number(timestamp);
    if (Math.abs(now - seconds) > this.tolerance) {
      throw new WebhookVerificationError(`webhook-timestamp is ${now - seconds} s off this clock `
        + `(tolerance ${this.tolerance} s)`);
    }
    const expected = this.#digest(id, seconds, payload);
    const matches = signatures.split(' ').some((entry) => {
      const comma = entry.indexOf(',');
      if (comma < 0 || entry.slice(0, comma) !== 'v1') {
        return false;
      }
      const given = Buffer.from(entry.slice(comma + 1), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) {
      throw new WebhookVerificationError('no webhook-signature matches the body');
    }
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  #digest(id, timestamp, payload) {
    return createHmac('sha256', this.key).update(`${id}.${timestamp}.`).update(payload).digest();
  }
}

function header(headers, name) {
  let value = typeof headers?.get === 'function' ? headers.get(name) : undefined;
  if (value === undefined && headers) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  return Array.isArray(value) ? value.join(' ') : value ?? null;
}
