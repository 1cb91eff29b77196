import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActionHandlers, kubernetesActionSchema, readKubeconfig, resolveKubernetesConnection, type KubernetesClusterConfig } from '../../../src/remediate/handlers/index.js';
import type { ActionHandler } from '../../../src/remediate/types.js';
import { FakeKubernetes } from './fake-kubernetes.js';
import { actionContext } from './helpers.js';

const TOKEN = 'k8s-token-3b9f1c0a7e';
const env = { VIGIL_K8S_TOKEN: TOKEN };
let api: FakeKubernetes;
let kubernetes: ActionHandler;
let dir: string;

before(async () => {
  api = await new FakeKubernetes(TOKEN).start();
  kubernetes = handlerFor({ server: api.url, tokenEnv: 'VIGIL_K8S_TOKEN' });
  dir = mkdtempSync(join(tmpdir(), 'vigil-k8s-'));
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function handlerFor(cluster: KubernetesClusterConfig | undefined): ActionHandler {
  return createActionHandlers({ commandAllowList: [], kubernetes: cluster }).get('kubernetes')!;
}
const params = (p: Record<string, unknown>) => kubernetesActionSchema.parse(p);
const vars = { labels: { namespace: 'shop', deployment: 'checkout', node: 'node-7' } };

test('kubernetes: scale reads the Scale subresource and merge-patches the new replica count', async () => {
  api.deployments.set('shop/checkout', { replicas: 3, image: 'shop/checkout:1.4.2', revision: 4 });
  const step = params({ action: 'scale', namespace: '{{ labels.namespace }}', name: '{{ labels.deployment }}', replicas: 5 });
  assert.deepEqual(kubernetes.targets(step, vars), ['kubernetes:deployment/shop/checkout']);
  assert.equal(kubernetes.describe(step, vars), 'scale deployment/shop/checkout to 5 replicas');
  const from = api.requests.length;

  const r = await kubernetes.run(step, actionContext({ vars, env }));
  assert.equal(r.ok, true, r.output);
  assert.equal(r.output, 'scaled deployment shop/checkout from 3 to 5 replicas');
  assert.deepEqual(r.changed, { kind: 'deployment', namespace: 'shop', name: 'checkout', previousReplicas: 3, replicas: 5 });

  const [get, patch] = api.requests.slice(from);
  assert.equal(get!.method, 'GET');
  assert.equal(get!.path, '/apis/apps/v1/namespaces/shop/deployments/checkout/scale');
  assert.equal(get!.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(patch!.method, 'PATCH');
  assert.equal(patch!.path, '/apis/apps/v1/namespaces/shop/deployments/checkout/scale');
  assert.equal(patch!.headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(patch!.json, { metadata: { resourceVersion: '1' }, spec: { replicas: 5 } });
  assert.equal(api.deployments.get('shop/checkout')!.replicas, 5);

  // A rollback step gives the previous count back through a template.
  const undo = params({ action: 'scale', namespace: 'shop', name: 'checkout', replicas: '{{ steps.up.changed.previousReplicas }}' });
  const u = await kubernetes.run(undo, actionContext({ vars: { steps: { up: { changed: r.changed } } }, env }));
  assert.equal(u.ok, true, u.output);
  assert.deepEqual(u.changed, { kind: 'deployment', namespace: 'shop', name: 'checkout', previousReplicas: 5, replicas: 3 });
});

test('kubernetes: relative scaling is bounded by minReplicas and maxReplicas', async () => {
  api.deployments.set('shop/cart', { replicas: 3, image: 'shop/cart:2', revision: 1 });
  const up = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'cart', scaleBy: 50, maxReplicas: 4 }), actionContext({ env }));
  assert.equal(up.ok, true, up.output);
  assert.equal(up.output, 'scaled deployment shop/cart from 3 to 4 replicas (wanted 5, bounded by maxReplicas 4)');
  assert.deepEqual(up.changed, { kind: 'deployment', namespace: 'shop', name: 'cart', previousReplicas: 3, replicas: 4 });

  const down = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'cart', delta: -10, minReplicas: 2, maxReplicas: 10 }), actionContext({ env }));
  assert.equal(down.output, 'scaled deployment shop/cart from 4 to 2 replicas (wanted -6, bounded by minReplicas 2)');

  const from = api.requests.length;
  const same = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'cart', delta: -1, minReplicas: 2, maxReplicas: 10 }), actionContext({ env }));
  assert.equal(same.ok, true);
  assert.match(same.output, /already has 2 replicas .*nothing changed/);
  assert.deepEqual(api.requests.slice(from).map((r) => r.method), ['GET'], 'no PATCH when nothing changes');

  const negative = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'cart', replicas: '{{ n }}' }), actionContext({ env, vars: { n: -1 } }));
  assert.equal(negative.ok, false);
  assert.match(negative.output, /replicas: -1 is negative/);

  // Relative scaling without an upper bound is refused when the runbook loads.
  assert.equal(kubernetesActionSchema.safeParse({ action: 'scale', namespace: 'shop', name: 'cart', scaleBy: 100 }).success, false);
  assert.equal(kubernetesActionSchema.safeParse({ action: 'scale', namespace: 'shop', name: 'cart', replicas: 2, delta: 1, maxReplicas: 3 }).success, false);
});

test('kubernetes: statefulsets scale through their own Scale subresource', async () => {
  const from = api.requests.length;
  const r = await kubernetes.run(params({ action: 'scale', kind: 'statefulset', namespace: 'db', name: 'pg', replicas: 2 }), actionContext({ env }));
  assert.equal(r.ok, false);
  assert.equal(api.requests[from]!.path, '/apis/apps/v1/namespaces/db/statefulsets/pg/scale');
});

test('kubernetes: rollout_restart sets the restartedAt pod-template annotation with a strategic merge patch, as kubectl does', async () => {
  api.deployments.set('shop/payments', { replicas: 2, image: 'shop/payments:7', revision: 7 });
  const r = await kubernetes.run(params({ action: 'rollout_restart', namespace: 'shop', name: 'payments' }), actionContext({ env }));
  assert.equal(r.ok, true, r.output);
  const req = api.last();
  assert.equal(req.method, 'PATCH');
  assert.equal(req.path, '/apis/apps/v1/namespaces/shop/deployments/payments');
  assert.equal(req.headers['content-type'], 'application/strategic-merge-patch+json');
  const restartedAt = (req.json as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']!;
  assert.match(restartedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(req.json, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } });
  assert.equal(r.changed?.restartedAt, restartedAt);
  assert.equal(api.deployments.get('shop/payments')!.annotations!['kubectl.kubernetes.io/restartedAt'], restartedAt);
});

test('kubernetes: rollback_image sets the image of the previous ReplicaSet revision', async () => {
  api.deployments.set('shop/search', { replicas: 2, image: 'shop/search:3.0.0', revision: 3 });
  api.replicaSets.push(
    { name: 'search-a', revision: 1, image: 'shop/search:1.0.0', owner: 'search' },
    { name: 'search-b', revision: 2, image: 'shop/search:2.1.0', owner: 'search' },
    { name: 'search-c', revision: 3, image: 'shop/search:3.0.0', owner: 'search' },
  );
  const r = await kubernetes.run(params({ action: 'rollback_image', namespace: 'shop', name: 'search' }), actionContext({ env }));
  assert.equal(r.ok, true, r.output);
  assert.deepEqual(r.changed, { kind: 'deployment', namespace: 'shop', name: 'search', container: 'app', previousImage: 'shop/search:3.0.0', image: 'shop/search:2.1.0' });
  assert.equal(api.requests.at(-2)!.path, '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dsearch');
  assert.equal(api.last().headers['content-type'], 'application/strategic-merge-patch+json');
  assert.deepEqual(api.last().json, { spec: { template: { spec: { containers: [{ name: 'app', image: 'shop/search:2.1.0' }] } } } });
  assert.equal(api.deployments.get('shop/search')!.image, 'shop/search:2.1.0');

  // Undoing it names the image explicitly.
  const back = await kubernetes.run(params({ action: 'rollback_image', namespace: 'shop', name: 'search', container: 'app', image: '{{ steps.rb.changed.previousImage }}' }), actionContext({ env, vars: { steps: { rb: { changed: r.changed } } } }));
  assert.equal(back.ok, true, back.output);
  assert.equal(api.deployments.get('shop/search')!.image, 'shop/search:3.0.0');
});

test('kubernetes: cordon and uncordon patch spec.unschedulable on the Node', async () => {
  api.nodes.set('node-7', { unschedulable: false });
  const step = params({ action: 'cordon', node: '{{ labels.node }}' });
  assert.deepEqual(kubernetes.targets(step, vars), ['kubernetes:node/node-7']);
  const c = await kubernetes.run(step, actionContext({ vars, env }));
  assert.equal(c.ok, true, c.output);
  assert.equal(c.output, 'cordoned node node-7');
  assert.deepEqual(c.changed, { node: 'node-7', previousUnschedulable: false, unschedulable: true });
  assert.equal(api.last().method, 'PATCH');
  assert.equal(api.last().path, '/api/v1/nodes/node-7');
  assert.equal(api.last().headers['content-type'], 'application/merge-patch+json');
  assert.deepEqual(api.last().json, { spec: { unschedulable: true } });
  assert.equal(api.nodes.get('node-7')!.unschedulable, true);

  const again = await kubernetes.run(step, actionContext({ vars, env }));
  assert.match(again.output, /already cordoned; nothing changed/);

  const u = await kubernetes.run(params({ action: 'uncordon', node: 'node-7' }), actionContext({ env }));
  assert.equal(u.ok, true);
  assert.deepEqual(api.last().json, { spec: { unschedulable: false } });
  assert.equal(api.nodes.get('node-7')!.unschedulable, false);
});

test('kubernetes: a 404 is ok:false with the Status message', async () => {
  const r = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'nope', replicas: 1 }), actionContext({ env }));
  assert.equal(r.ok, false);
  assert.equal(r.output, 'kubernetes: scale deployment/shop/nope: GET /apis/apps/v1/namespaces/shop/deployments/nope/scale: HTTP 404 NotFound: deployments.apps "nope" not found');
});

test('kubernetes: a wrong token is refused and the token never appears in the output', async () => {
  api.deployments.set('shop/checkout', { replicas: 3, image: 'x', revision: 1 });
  const r = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'checkout', replicas: 4 }), actionContext({ env: { VIGIL_K8S_TOKEN: 'wrong-token-123456' } }));
  assert.equal(r.ok, false);
  assert.match(r.output, /HTTP 401 Unauthorized: Unauthorized: token <redacted> is not valid/);
  assert.ok(!r.output.includes('wrong-token-123456'));
});

test('kubernetes: names that are not Kubernetes names are refused before any request', async () => {
  const from = api.requests.length;
  const r = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: '{{ labels.deployment }}', replicas: 1 }), actionContext({ env, vars: { labels: { deployment: '../../../api/v1/secrets' } } }));
  assert.equal(r.ok, false);
  assert.match(r.output, /invalid name/);
  assert.equal(api.requests.length, from);
});

test('kubernetes: no cluster configured, or no token, is ok:false', async () => {
  const step = params({ action: 'rollout_restart', namespace: 'shop', name: 'checkout' });
  const none = await handlerFor(undefined).run(step, actionContext({ env }));
  assert.equal(none.ok, false);
  assert.match(none.output, /no cluster is configured/);
  const noToken = await kubernetes.run(step, actionContext());
  assert.equal(noToken.ok, false);
  assert.match(noToken.output, /environment variable VIGIL_K8S_TOKEN \(the API token\) is not set/);
});

test('kubernetes: a hanging API server times out; the kill switch aborts', async () => {
  api.hangPaths.add('/apis/apps/v1/namespaces/shop/deployments/stuck/scale');
  const t = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'stuck', replicas: 1, timeout: '200ms' }), actionContext({ env }));
  assert.equal(t.ok, false);
  assert.match(t.output, /timed out after 200 ms/);
  const kill = new AbortController();
  setTimeout(() => kill.abort(new Error('kill switch engaged')), 100);
  const a = await kubernetes.run(params({ action: 'scale', namespace: 'shop', name: 'stuck', replicas: 1 }), actionContext({ env, signal: kill.signal }));
  assert.match(a.output, /aborted: kill switch engaged/);
});

test('kubernetes: a kubeconfig file gives the server, CA and token of its current context', async () => {
  const ca = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
  writeFileSync(join(dir, 'ca.crt'), ca);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: prod
contexts:
  - name: staging
    context: { cluster: staging, user: ci }
  - name: prod
    context: { cluster: prod, user: vigil, namespace: shop }
clusters:
  - name: staging
    cluster: { server: https://staging.example.com:6443, insecure-skip-tls-verify: true }
  - name: prod
    cluster:
      server: ${api.url}
      certificate-authority: ca.crt
users:
  - name: ci
    user: { token: ci-token }
  - name: vigil
    user:
      token: ${TOKEN}
`,
  );
  assert.deepEqual(readKubeconfig(kubeconfig), { server: api.url, ca, token: TOKEN });
  assert.deepEqual(readKubeconfig(kubeconfig, 'staging'), { server: 'https://staging.example.com:6443', insecureSkipTlsVerify: true, token: 'ci-token' });

  api.deployments.set('shop/checkout', { replicas: 2, image: 'x', revision: 1 });
  const h = handlerFor({ kubeconfig });
  const r = await h.run(params({ action: 'scale', namespace: 'shop', name: 'checkout', replicas: 3 }), actionContext());
  assert.equal(r.ok, true, r.output);
  assert.equal(api.last().headers.authorization, `Bearer ${TOKEN}`);

  // certificate-authority-data is base64 PEM; a missing context is a clear error.
  writeFileSync(kubeconfig, `current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nclusters: [{ name: k, cluster: { server: https://k:6443, certificate-authority-data: ${Buffer.from(ca).toString('base64')} } }]\nusers: [{ name: u, user: { token: t } }]\n`);
  assert.equal(readKubeconfig(kubeconfig).ca, ca);
  assert.throws(() => readKubeconfig(kubeconfig, 'other'), /no context named other/);
});

test('kubernetes: in a pod, the service account token and CA are used', () => {
  writeFileSync(join(dir, 'sa-token'), 'sa-token-value\n');
  writeFileSync(join(dir, 'sa-ca.crt'), 'CA');
  const conn = resolveKubernetesConnection({ tokenFile: join(dir, 'sa-token'), caFile: join(dir, 'sa-ca.crt') }, { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
  assert.deepEqual(conn, { server: 'https://10.96.0.1:443', token: 'sa-token-value', ca: 'CA', insecureSkipTlsVerify: false });
  assert.throws(() => resolveKubernetesConnection({}, {}), /not running in a cluster/);
});

test('kubernetes: https with a private CA from caFile (and refused without it)', async (t) => {
  let tls: { cert: string; key: string };
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const { readFileSync } = await import('node:fs');
    tls = { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  } catch {
    t.skip('openssl is not available to make a test certificate');
    return;
  }
  const secure = await new FakeKubernetes(TOKEN).start(tls);
  try {
    secure.deployments.set('shop/checkout', { replicas: 1, image: 'x', revision: 1 });
    const step = params({ action: 'scale', namespace: 'shop', name: 'checkout', replicas: 2 });
    const ok = await handlerFor({ server: secure.url, tokenEnv: 'VIGIL_K8S_TOKEN', caFile: join(dir, 'tls.crt') }).run(step, actionContext({ env }));
    assert.equal(ok.ok, true, ok.output);
    const refused = await handlerFor({ server: secure.url, tokenEnv: 'VIGIL_K8S_TOKEN' }).run(step, actionContext({ env }));
    assert.equal(refused.ok, false);
    assert.match(refused.output, /self.signed certificate|unable to verify/i);
  } finally {
    await secure.close();
  }
});
