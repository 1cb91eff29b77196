import { AlertmanagerChannel } from './channels/alertmanager.js';
import { EmailChannel } from './channels/email.js';
import { PagerDutyChannel } from './channels/pagerduty.js';
import { SlackChannel } from './channels/slack.js';
import { WebhookChannel } from './channels/webhook.js';
import type { ChannelConfig } from './config-schema.js';
import type { NotificationChannel } from './types.js';

/** The one place that maps a channel's configuration to its adapter. */
export function createChannel(c: ChannelConfig): NotificationChannel {
  switch (c.type) {
    case 'slack':
      return new SlackChannel(c);
    case 'pagerduty':
      return new PagerDutyChannel(c);
    case 'email':
      return new EmailChannel(c);
    case 'webhook':
      return new WebhookChannel(c);
    case 'alertmanager':
      return new AlertmanagerChannel(c);
  }
}

export function createChannels(configs: readonly ChannelConfig[]): NotificationChannel[] {
  return configs.map(createChannel);
}
