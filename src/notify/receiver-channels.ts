import type { Outbox } from './outbox.js';
import type { Notification, NotifyLogger } from './types.js';

/**
 * Enqueues a message to the channels a receiver names, one notification per
 * channel. A channel that is not configured (a typo, or no notify.channels at
 * all) is skipped and reported once per name, so one mistake neither blocks
 * the receiver's other channels nor floods the log on every page.
 */
export class ReceiverChannels {
  private readonly warned = new Set<string>();

  constructor(
    private readonly outbox: Outbox | undefined,
    private readonly logger: NotifyLogger,
  ) {}

  /** `build` makes the notification for one channel; it is only called for configured channels. */
  enqueue(receiver: string | undefined, channels: readonly string[], build: (channel: string) => Notification): void {
    for (const channel of channels) {
      if (!this.outbox?.has(channel)) {
        if (!this.warned.has(channel)) this.logger.warn({ receiver, channel }, 'receiver names a channel that is not in notify.channels; skipped');
        this.warned.add(channel);
        continue;
      }
      this.outbox.enqueue(build(channel));
    }
  }
}
