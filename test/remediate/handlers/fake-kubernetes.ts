import { RecordingServer, type RecordedRequest, type ScriptedReply } from '../../helpers/recording-server.js';

export interface FakeDeployment {
  replicas: number;
  image: string;
  revision: number;
  annotations?: Record<string, string>;
  resourceVersion?: number;
}

export interface FakeReplicaSet {
  name: string;
  revision: number;
  image: string;
  owner: string;
}

/**
 * A small Kubernetes API server: the request and response shapes of the
 * endpoints the handler uses (the apps/v1 Scale subresource as an
 * autoscaling/v1 Scale, Deployment and Node patches, ReplicaSet lists, Status
 * objects for errors), with bearer-token checks and resourceVersion
 * preconditions, routed on top of a recording server (every request is
 * recorded).
 */
export class FakeKubernetes {
  readonly deployments = new Map<string, FakeDeployment>();
  readonly nodes = new Map<string, { unschedulable: boolean }>();
  readonly replicaSets: FakeReplicaSet[] = [];
  /** Requests to these paths never get an answer. */
  readonly hangPaths = new Set<string>();
  private server?: RecordingServer;

  constructor(readonly token: string) {}

  async start(tls?: { cert: string; key: string }): Promise<this> {
    this.server = await RecordingServer.start((r) => this.answer(r), tls && { tls });
    return this;
  }

  get url(): string {
    return this.server?.url ?? '';
  }

  get requests(): RecordedRequest[] {
    return this.server?.requests ?? [];
  }

  last(): RecordedRequest {
    return this.server!.last();
  }

  async close(): Promise<void> {
    await this.server!.close();
  }

  private answer(r: RecordedRequest): ScriptedReply {
    if (this.hangPaths.has(new URL(r.path, 'http://x').pathname)) return { hang: true };
    const [status, json] = this.route(r);
    return { status, json };
  }

  private route(r: RecordedRequest): [number, unknown] {
    if (r.headers.authorization !== `Bearer ${this.token}`)
      return status(401, 'Unauthorized', `Unauthorized: token ${String(r.headers.authorization ?? '(none)').replace(/^Bearer /, '')} is not valid`);
    const url = new URL(r.path, 'http://x');
    const patchType = String(r.headers['content-type'] ?? '');
    let m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/.exec(url.pathname);
    if (m) {
      const [ns, name] = [m[1]!, m[2]!];
      const d = this.deployments.get(`${ns}/${name}`);
      if (!d) return notFound(name);
      if (r.method === 'PATCH') {
        if (patchType !== 'application/merge-patch+json') return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        const patch = r.json as { metadata?: { resourceVersion?: string }; spec?: { replicas?: number } };
        if (patch.metadata?.resourceVersion !== undefined && patch.metadata.resourceVersion !== String(d.resourceVersion ?? 1))
          return status(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        if (typeof patch.spec?.replicas === 'number') {
          d.replicas = patch.spec.replicas;
          d.resourceVersion = (d.resourceVersion ?? 1) + 1;
        }
      } else if (r.method !== 'GET') return status(405, 'MethodNotAllowed', 'method not allowed');
      return [200, scaleObject(ns, name, d)];
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const [ns, name] = [m[1]!, m[2]!];
      const d = this.deployments.get(`${ns}/${name}`);
      if (!d) return notFound(name);
      if (r.method === 'PATCH') {
        if (patchType !== 'application/strategic-merge-patch+json' && patchType !== 'application/merge-patch+json') return status(415, 'UnsupportedMediaType', 'unsupported patch type');
        const patch = r.json as { spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: Array<{ name: string; image?: string }> } } } };
        const annotations = patch.spec?.template?.metadata?.annotations;
        if (annotations) d.annotations = { ...d.annotations, ...annotations };
        const image = patch.spec?.template?.spec?.containers?.find((c) => c.name === 'app')?.image;
        if (image) {
          d.image = image;
          d.revision += 1;
        }
        d.resourceVersion = (d.resourceVersion ?? 1) + 1;
      }
      return [200, deploymentObject(ns, name, d)];
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets$/.exec(url.pathname);
    if (m && r.method === 'GET') {
      const ns = m[1]!;
      const selector = url.searchParams.get('labelSelector') ?? '';
      const items = this.replicaSets
        .filter((rs) => selector === `app=${rs.owner}`)
        .map((rs) => ({
          metadata: { name: rs.name, namespace: ns, annotations: { 'deployment.kubernetes.io/revision': String(rs.revision) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: rs.owner, uid: uid(ns, rs.owner), controller: true }] },
          spec: { template: { spec: { containers: [{ name: 'app', image: rs.image }] } } },
        }));
      return [200, { kind: 'ReplicaSetList', apiVersion: 'apps/v1', metadata: { resourceVersion: '900' }, items }];
    }
    m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const name = m[1]!;
      const n = this.nodes.get(name);
      if (!n) return status(404, 'NotFound', `nodes "${name}" not found`);
      if (r.method === 'PATCH') {
        if (patchType !== 'application/merge-patch+json' && patchType !== 'application/strategic-merge-patch+json') return status(415, 'UnsupportedMediaType', 'unsupported patch type');
        const u = (r.json as { spec?: { unschedulable?: boolean | null } }).spec?.unschedulable;
        n.unschedulable = u === true;
      }
      return [200, { kind: 'Node', apiVersion: 'v1', metadata: { name }, spec: n.unschedulable ? { unschedulable: true } : {} }];
    }
    return status(404, 'NotFound', 'the server could not find the requested resource');
  }
}

function uid(ns: string, name: string): string {
  return `uid-${ns}-${name}`;
}

function scaleObject(ns: string, name: string, d: FakeDeployment) {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace: ns, uid: uid(ns, name), resourceVersion: String(d.resourceVersion ?? 1) },
    spec: { replicas: d.replicas },
    status: { replicas: d.replicas, selector: `app=${name}` },
  };
}

function deploymentObject(ns: string, name: string, d: FakeDeployment) {
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name, namespace: ns, uid: uid(ns, name), generation: d.revision + 1, resourceVersion: String(d.resourceVersion ?? 1), annotations: { 'deployment.kubernetes.io/revision': String(d.revision) } },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations: d.annotations ?? {} }, spec: { containers: [{ name: 'app', image: d.image }] } },
    },
  };
}

function notFound(name: string): [number, unknown] {
  return [404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `deployments.apps "${name}" not found`, reason: 'NotFound', details: { name, group: 'apps', kind: 'deployments' }, code: 404 }];
}

function status(code: number, reason: string, message: string): [number, unknown] {
  return [code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }];
}
