export { QueueClient, FINAL_STATES } from './client.js';
export { QueueError, WaitTimeoutError, WebhookVerificationError } from './errors.js';
export { Webhook } from './webhook.js';
export { serverSentEvents } from './sse.js';
