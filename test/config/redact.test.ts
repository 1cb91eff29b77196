import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, redactConfig } from '../../src/config/index.js';

test('secrets are replaced for printing; everything else is kept', () => {
  const config = {
    ...defaultConfig(),
    notify: {
      slack: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/xyz', channel: '#ops' },
      pagerduty: { routing_key: 'R0UT1NG', severity: 'critical' },
      opsgenie: { apiKey: 'k-123', api_key: 'k-456' },
      webhook: { url: 'https://bot:hunter2@example.com/hook', headers: { Authorization: 'x' }, token: '' },
      smtp: { password: 'p', clientSecret: 's', user: 'vigil' },
    },
  };
  const shown = redactConfig(config);
  assert.deepEqual(shown.notify, {
    slack: { webhookUrl: '<redacted>', channel: '#ops' },
    pagerduty: { routing_key: '<redacted>', severity: 'critical' },
    opsgenie: { apiKey: '<redacted>', api_key: '<redacted>' },
    // An unset secret stays visibly empty; passwords in URLs are masked wherever they are.
    webhook: { url: 'https://bot:<redacted>@example.com/hook', headers: { Authorization: 'x' }, token: '' },
    smtp: { password: '<redacted>', clientSecret: '<redacted>', user: 'vigil' },
  });
  assert.deepEqual(shown.storage, config.storage);
  assert.equal(config.notify.slack.webhookUrl, 'https://hooks.slack.com/services/T0/B0/xyz', 'the original is untouched');
});
