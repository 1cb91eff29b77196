import { z } from 'zod';
import { SecretScrubber } from '../../notify/secrets.js';
import { renderTemplate } from '../template.js';
import type { ActionContext, ActionHandler, ActionResult, TemplateVars } from '../types.js';
import { type Deadline, deadline } from './abort.js';
import { intOrTemplate, renderInt, timeoutField } from './fields.js';
import { kubernetesFailure, kubernetesRequest } from './kubernetes-api.js';
import { type KubernetesClusterConfig, type KubernetesConnection, resolveKubernetesConnection } from './kubernetes-cluster.js';
import { errorMessage, failed, oneLine, succeeded } from './output.js';

/**
 * `type: kubernetes` — scale a workload, restart its pods, roll its image back,
 * or cordon a node, through the API server's REST API:
 *
 *   - { type: kubernetes, action: scale, namespace: shop, name: checkout, scaleBy: 50, maxReplicas: 12 }
 *   - { type: kubernetes, action: scale, namespace: shop, name: checkout, replicas: "{{ steps.up.changed.previousReplicas }}" }
 *   - { type: kubernetes, action: rollout_restart, namespace: shop, name: checkout }
 *   - { type: kubernetes, action: rollback_image, namespace: shop, name: checkout, container: app }
 *   - { type: kubernetes, action: cordon, node: "{{ labels.node }}" }
 *
 * `changed` records the state before and after (previousReplicas, previousImage,
 * previousUnschedulable) so a later step can undo the action.
 */

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const workload = {
  namespace: z.string().min(1),
  name: z.string().min(1),
  timeout: timeoutField(),
};

const scaleSchema = z
  .strictObject({
    action: z.literal('scale'),
    kind: z.enum(['deployment', 'statefulset']).default('deployment'),
    ...workload,
    /** Absolute replica count. */
    replicas: intOrTemplate().optional(),
    /** Percent of the current count, up (50) or down (-25); at least one replica of change. */
    scaleBy: z.number().min(-100).max(1000).optional(),
    /** Replicas to add (or remove, when negative). */
    delta: intOrTemplate().optional(),
    minReplicas: z.number().int().min(0).optional(),
    maxReplicas: z.number().int().min(0).optional(),
  })
  .superRefine((p, ctx) => {
    const given = [p.replicas, p.scaleBy, p.delta].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of replicas, scaleBy and delta' });
    if ((p.scaleBy !== undefined || p.delta !== undefined) && p.maxReplicas === undefined)
      ctx.addIssue({ code: 'custom', path: ['maxReplicas'], message: 'relative scaling (scaleBy, delta) needs maxReplicas' });
    if (p.minReplicas !== undefined && p.maxReplicas !== undefined && p.minReplicas > p.maxReplicas)
      ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: 'minReplicas is greater than maxReplicas' });
  });

const restartSchema = z.strictObject({
  action: z.literal('rollout_restart'),
  kind: z.enum(['deployment', 'statefulset', 'daemonset']).default('deployment'),
  ...workload,
});

const rollbackImageSchema = z.strictObject({
  action: z.literal('rollback_image'),
  kind: z.literal('deployment').default('deployment'),
  ...workload,
  /** Container to roll back (default: the pod's only container). */
  container: z.string().min(1).optional(),
  /** Image to set; default: the image of the previous ReplicaSet revision (as `kubectl rollout undo` picks it). */
  image: z.string().min(1).optional(),
});

const node = { node: z.string().min(1), timeout: timeoutField() };
const cordonSchema = z.strictObject({ action: z.literal('cordon'), ...node });
const uncordonSchema = z.strictObject({ action: z.literal('uncordon'), ...node });

export const kubernetesActionSchema = z.discriminatedUnion('action', [scaleSchema, restartSchema, rollbackImageSchema, cordonSchema, uncordonSchema]);

export type KubernetesActionParams = z.output<typeof kubernetesActionSchema>;
export type KubernetesScaleParams = z.output<typeof scaleSchema>;

const DEFAULT_TIMEOUT_MS = 30_000;
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const REVISION = 'deployment.kubernetes.io/revision';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

/** What an action is aimed at, rendered and checked (names become URL path segments). */
type Aim = { kind: string; namespace: string; name: string } | { kind: 'node'; name: string };

function aim(p: KubernetesActionParams, vars: TemplateVars): Aim {
  if (p.action === 'cordon' || p.action === 'uncordon') return { kind: 'node', name: checkName(renderTemplate(p.node, vars), 'node') };
  return { kind: p.kind, namespace: checkNamespace(renderTemplate(p.namespace, vars)), name: checkName(renderTemplate(p.name, vars), 'name') };
}

function aimText(a: Aim): string {
  return 'namespace' in a ? `${a.kind}/${a.namespace}/${a.name}` : `node/${a.name}`;
}

export function kubernetesActionHandler(deps: { kubernetes?: KubernetesClusterConfig }): ActionHandler<KubernetesActionParams> {
  return {
    type: 'kubernetes',
    schema: kubernetesActionSchema,
    targets: (p, vars) => [`kubernetes:${aimText(aim(p, vars))}`],
    describe: (p, vars) => describeAction(p, vars),
    run: async (p, ctx) => {
      if (!deps.kubernetes) return failed('kubernetes: no cluster is configured (remediation.kubernetes)');
      let target: Aim;
      let conn: KubernetesConnection;
      try {
        target = aim(p, ctx.vars);
        conn = resolveKubernetesConnection(deps.kubernetes, ctx.env);
      } catch (e) {
        return failed(`kubernetes: ${errorMessage(e).replace(/^kubernetes: /, '')}`);
      }
      const api = new Api(conn, deadline(ctx.signal, p.timeout ?? DEFAULT_TIMEOUT_MS), new SecretScrubber([conn.token, conn.key]));
      try {
        return await perform(p, target, api, ctx);
      } catch (e) {
        return failed(`kubernetes: ${p.action} ${aimText(target)}: ${e instanceof ApiFailure ? e.message : api.scrub(errorMessage(e))}`);
      }
    },
  };
}

function describeAction(p: KubernetesActionParams, vars: TemplateVars): string {
  const t = aimText(aim(p, vars));
  switch (p.action) {
    case 'scale': {
      const bounds = p.minReplicas !== undefined || p.maxReplicas !== undefined ? ` (bounds ${p.minReplicas ?? 0}..${p.maxReplicas ?? '∞'})` : '';
      if (p.replicas !== undefined) return `scale ${t} to ${renderTemplate(String(p.replicas), vars)} replicas${bounds}`;
      if (p.scaleBy !== undefined) return `scale ${t} by ${p.scaleBy}%${bounds}`;
      return `scale ${t} by ${renderTemplate(String(p.delta), vars)} replicas${bounds}`;
    }
    case 'rollout_restart':
      return `restart the pods of ${t} (rollout restart)`;
    case 'rollback_image':
      return `roll back the image of ${t}${p.container ? ` container ${p.container}` : ''}${p.image ? ` to ${renderTemplate(p.image, vars)}` : ' to the previous revision'}`;
    case 'cordon':
      return `cordon ${t} (mark unschedulable)`;
    case 'uncordon':
      return `uncordon ${t} (mark schedulable)`;
  }
}

async function perform(p: KubernetesActionParams, t: Aim, api: Api, ctx: ActionContext): Promise<ActionResult> {
  if (t.kind === 'node' || !('namespace' in t)) {
    if (p.action !== 'cordon' && p.action !== 'uncordon') throw new Error('unreachable');
    return setUnschedulable(t.name, p.action === 'cordon', api);
  }
  const base = `/apis/apps/v1/namespaces/${t.namespace}/${t.kind}s/${t.name}`;
  switch (p.action) {
    case 'scale':
      return scale(p, t, base, api, ctx.vars);
    case 'rollout_restart':
      return rolloutRestart(t, base, api);
    case 'rollback_image':
      return rollbackImage(p, t, base, api, ctx.vars);
    default:
      throw new Error('unreachable');
  }
}

/** GET the Scale subresource, compute the bounded target, PATCH it (with the resourceVersion read, so a concurrent change is a conflict, not a lost update). */
async function scale(p: KubernetesScaleParams, t: { kind: string; namespace: string; name: string }, base: string, api: Api, vars: TemplateVars): Promise<ActionResult> {
  const current = (await api.get(`${base}/scale`)) as ScaleObject;
  const previous = current.spec?.replicas ?? 0;
  const { replicas, note } = targetReplicas(p, previous, vars);
  const what = `${t.kind} ${t.namespace}/${t.name}`;
  const changed = { kind: t.kind, namespace: t.namespace, name: t.name, previousReplicas: previous, replicas };
  if (replicas === previous) return succeeded(`${what} already has ${previous} replicas${note}; nothing changed`, changed);
  const patch = { metadata: { resourceVersion: current.metadata?.resourceVersion }, spec: { replicas } };
  if (!patch.metadata.resourceVersion) delete (patch as { metadata?: unknown }).metadata;
  const after = (await api.patch(`${base}/scale`, MERGE_PATCH, patch)) as ScaleObject;
  const now = after.spec?.replicas ?? replicas;
  return succeeded(`scaled ${what} from ${previous} to ${now} replicas${note}`, { ...changed, replicas: now });
}

/** The new replica count: absolute, percent or delta, clamped to [minReplicas, maxReplicas]. */
export function targetReplicas(p: KubernetesScaleParams, current: number, vars: TemplateVars): { replicas: number; note: string } {
  let wanted: number;
  if (p.replicas !== undefined) {
    wanted = renderInt(p.replicas, vars, 'replicas');
    if (wanted < 0) throw new RangeError(`replicas: ${wanted} is negative`);
  }
  else if (p.scaleBy !== undefined) {
    const step = p.scaleBy === 0 || current === 0 ? 0 : Math.max(1, Math.ceil((current * Math.abs(p.scaleBy)) / 100));
    wanted = current + Math.sign(p.scaleBy) * step;
  } else wanted = current + renderInt(p.delta!, vars, 'delta');
  const min = p.minReplicas ?? 0;
  const max = p.maxReplicas ?? Number.MAX_SAFE_INTEGER;
  const replicas = Math.min(max, Math.max(min, wanted));
  const note = replicas === wanted ? '' : ` (wanted ${wanted}, bounded by ${replicas === max ? `maxReplicas ${max}` : `minReplicas ${min}`})`;
  return { replicas, note };
}

/** What `kubectl rollout restart` does: a new pod-template annotation makes the controller roll every pod. */
async function rolloutRestart(t: { kind: string; namespace: string; name: string }, base: string, api: Api): Promise<ActionResult> {
  const restartedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } };
  const after = (await api.patch(base, STRATEGIC_MERGE_PATCH, patch)) as WorkloadObject;
  const generation = after.metadata?.generation;
  return succeeded(`restarted ${t.kind} ${t.namespace}/${t.name} (restartedAt ${restartedAt}${generation !== undefined ? `, generation ${generation}` : ''})`, {
    kind: t.kind,
    namespace: t.namespace,
    name: t.name,
    restartedAt,
  });
}

/** Sets a container's image: the one given, or the one of the previous revision's ReplicaSet. */
async function rollbackImage(
  p: Extract<KubernetesActionParams, { action: 'rollback_image' }>,
  t: { kind: string; namespace: string; name: string },
  base: string,
  api: Api,
  vars: TemplateVars,
): Promise<ActionResult> {
  const deployment = (await api.get(base)) as WorkloadObject;
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  const container = p.container ? containers.find((c) => c.name === p.container) : containers.length === 1 ? containers[0] : undefined;
  if (!container?.name)
    throw new ApiFailure(p.container ? `no container ${p.container} (containers: ${containers.map((c) => c.name).join(', ')})` : `the pod has ${containers.length} containers; name one with container:`);
  const image = p.image ? renderTemplate(p.image, vars) : await previousRevisionImage(deployment, container.name, t.namespace, api);
  const changed = { kind: t.kind, namespace: t.namespace, name: t.name, container: container.name, previousImage: container.image, image };
  if (image === container.image) return succeeded(`${t.kind} ${t.namespace}/${t.name} container ${container.name} already runs ${image}; nothing changed`, changed);
  const patch = { spec: { template: { spec: { containers: [{ name: container.name, image }] } } } };
  await api.patch(base, STRATEGIC_MERGE_PATCH, patch);
  return succeeded(`set ${t.kind} ${t.namespace}/${t.name} container ${container.name} image from ${container.image} to ${image}`, changed);
}

async function previousRevisionImage(deployment: WorkloadObject, container: string, namespace: string, api: Api): Promise<string> {
  const labels = deployment.spec?.selector?.matchLabels ?? {};
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const list = (await api.get(`/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=${encodeURIComponent(selector)}`)) as { items?: WorkloadObject[] };
  const current = Number(deployment.metadata?.annotations?.[REVISION] ?? Infinity);
  const owned = (list.items ?? [])
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid))
    .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION]) }))
    .filter((x) => Number.isFinite(x.revision) && x.revision < current)
    .sort((a, b) => b.revision - a.revision);
  const image = owned[0]?.rs.spec?.template?.spec?.containers?.find((c) => c.name === container)?.image;
  if (!image) throw new ApiFailure(`no earlier revision with a container ${container} to roll back to`);
  return image;
}

/** cordon/uncordon: `spec.unschedulable` on the Node, as kubectl sets it. */
async function setUnschedulable(node: string, unschedulable: boolean, api: Api): Promise<ActionResult> {
  const path = `/api/v1/nodes/${node}`;
  const before = (await api.get(path)) as NodeObject;
  const previous = before.spec?.unschedulable === true;
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  const changed = { node, previousUnschedulable: previous, unschedulable };
  if (previous === unschedulable) return succeeded(`node ${node} is already ${verb}; nothing changed`, changed);
  const after = (await api.patch(path, MERGE_PATCH, { spec: { unschedulable } })) as NodeObject;
  return succeeded(`${verb} node ${node}`, { ...changed, unschedulable: after.spec?.unschedulable === true });
}

interface ObjectMeta {
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ uid?: string }>;
}
interface ScaleObject {
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
}
interface WorkloadObject {
  metadata?: ObjectMeta;
  spec?: { selector?: { matchLabels?: Record<string, string> }; template?: { spec?: { containers?: Array<{ name?: string; image?: string }> } } };
}
interface NodeObject {
  spec?: { unschedulable?: boolean };
}

/** A failure with a reason already fit to show. */
class ApiFailure extends Error {}

/** Requests under one deadline; a non-2xx answer or a transport error becomes an ApiFailure. */
class Api {
  constructor(
    private readonly conn: KubernetesConnection,
    private readonly limit: Deadline,
    private readonly scrubber: SecretScrubber,
  ) {}

  scrub(text: string): string {
    return oneLine(this.scrubber.scrub(text));
  }

  get(path: string): Promise<unknown> {
    return this.call('GET', path);
  }

  patch(path: string, contentType: string, body: unknown): Promise<unknown> {
    return this.call('PATCH', path, { contentType, body });
  }

  private async call(method: 'GET' | 'PATCH', path: string, patch?: { contentType: string; body: unknown }): Promise<unknown> {
    if (this.limit.signal.aborted) throw new ApiFailure(this.limit.reason());
    let answer;
    try {
      answer = await kubernetesRequest(this.conn, { method, path, patch, signal: this.limit.signal });
    } catch (e) {
      throw new ApiFailure(this.limit.signal.aborted ? this.limit.reason() : `${method} ${path} failed: ${this.scrub(errorMessage(e))}`);
    }
    if (answer.status < 200 || answer.status >= 300) throw new ApiFailure(`${method} ${path}: ${this.scrub(kubernetesFailure(answer))}`);
    return answer.json ?? {};
  }
}

function checkNamespace(ns: string): string {
  if (ns.length > 63 || !NAMESPACE_RE.test(ns)) throw new RangeError(`invalid namespace ${JSON.stringify(ns.slice(0, 80))}`);
  return ns;
}

function checkName(name: string, what: string): string {
  if (name.length > 253 || !NAME_RE.test(name)) throw new RangeError(`invalid ${what} ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}
