import type { Severity } from '../../core/severity.js';
import type { ActionHandler } from '../types.js';
import { airflowActionHandler } from './airflow.js';
import { commandActionHandler } from './command.js';
import { httpActionHandler } from './http.js';
import type { KubernetesClusterConfig } from './kubernetes-cluster.js';
import { kubernetesActionHandler } from './kubernetes.js';
import { notifyActionHandler } from './notify.js';
import { scaleWebhookActionHandler } from './scale-webhook.js';

/**
 * The one place action handlers are registered: a runbook step's `type:`
 * selects one of these. Each handler gets only the dependencies it uses.
 */
export interface ActionHandlerDeps {
  /** Absolute paths of the programs `command` steps may run (exact match after resolving). */
  commandAllowList: string[];
  /** The cluster `kubernetes` steps act on; without it they are refused. */
  kubernetes?: KubernetesClusterConfig;
  /** Sends a message through the notification pipeline; without it `notify` steps are refused. */
  notify?: (n: { title: string; text: string; severity: Severity; channel?: string }) => Promise<void>;
  /** HTTP client for http, airflow and scale_webhook (default: the global fetch). */
  fetch?: typeof fetch;
}

export function createActionHandlers(deps: ActionHandlerDeps): Map<string, ActionHandler> {
  const handlers: ActionHandler[] = [
    httpActionHandler({ fetch: deps.fetch }),
    commandActionHandler({ commandAllowList: deps.commandAllowList }),
    kubernetesActionHandler({ kubernetes: deps.kubernetes }),
    airflowActionHandler({ fetch: deps.fetch }),
    scaleWebhookActionHandler({ fetch: deps.fetch }),
    notifyActionHandler({ notify: deps.notify }),
  ];
  return new Map(handlers.map((h) => [h.type, h]));
}

export { OUTPUT_LIMIT } from './output.js';
export { httpActionHandler, httpActionSchema, HTTP_METHODS, type HttpActionParams } from './http.js';
export { commandActionHandler, commandActionSchema, type CommandActionParams } from './command.js';
export { CommandRefusedError, allowedProgram } from './program.js';
export { kubernetesActionHandler, kubernetesActionSchema, targetReplicas, type KubernetesActionParams, type KubernetesScaleParams } from './kubernetes.js';
export { resolveKubernetesConnection, readKubeconfig, SERVICE_ACCOUNT_DIR, type KubernetesClusterConfig, type KubernetesConnection } from './kubernetes-cluster.js';
export { airflowActionHandler, airflowActionSchema, type AirflowActionParams } from './airflow.js';
export { scaleWebhookActionHandler, scaleWebhookActionSchema, type ScaleWebhookActionParams } from './scale-webhook.js';
export { notifyActionHandler, notifyActionSchema, type NotifyActionParams, type Notifier } from './notify.js';
