export * from './types.js';
export * from './notification.js';
export * from './render.js';
export * from './outbox.js';
export * from './registry.js';
export { ReceiverChannels } from './receiver-channels.js';
export * from './config-schema.js';
export { backoffDelay } from './backoff.js';
export { parseRetryAfter } from './http.js';
export { SecretScrubber, redactUrl } from './secrets.js';
export { SlackChannel, slackPayload, SLACK_LIMITS, type SlackChannelOptions } from './channels/slack.js';
export { PagerDutyChannel, pagerDutyEvent, pagerDutyDedupKey, PAGERDUTY_EVENTS_URL, PAGERDUTY_SEVERITY, PAGERDUTY_SEVERITIES, type PagerDutyChannelOptions, type PagerDutySeverity } from './channels/pagerduty.js';
export { EmailChannel, emailMessage, emailHtml, type EmailChannelOptions } from './channels/email.js';
export {
  WebhookChannel,
  webhookBody,
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_VERSION,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DELIVERY_ID_HEADER,
  EVENT_HEADER,
  type WebhookChannelOptions,
} from './channels/webhook.js';
export { AlertmanagerChannel, alertmanagerAlerts, type AlertmanagerAlert, type AlertmanagerChannelOptions } from './channels/alertmanager.js';
