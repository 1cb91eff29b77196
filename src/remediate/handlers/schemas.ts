import type { z } from 'zod';
import { airflowActionSchema } from './airflow.js';
import { commandActionSchema } from './command.js';
import { httpActionSchema } from './http.js';
import { kubernetesActionSchema } from './kubernetes.js';
import { notifyActionSchema } from './notify.js';
import { scaleWebhookActionSchema } from './scale-webhook.js';

/**
 * Each action type's parameter schema, without its dependencies, so
 * `vigil config check` validates runbook steps (with file:line) before
 * anything runs. Must list the same types as `createActionHandlers`.
 */
export const ACTION_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  http: httpActionSchema,
  command: commandActionSchema,
  kubernetes: kubernetesActionSchema,
  airflow: airflowActionSchema,
  scale_webhook: scaleWebhookActionSchema,
  notify: notifyActionSchema,
};
