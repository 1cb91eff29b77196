import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { airflowActionSchema, createActionHandlers } from '../../../src/remediate/handlers/index.js';
import { RecordingServer, type RecordedRequest } from '../../helpers/recording-server.js';
import { actionContext } from './helpers.js';

/** Airflow's stable REST API v1, as far as the handler uses it. */
function airflowApi(req: RecordedRequest) {
  const auth = String(req.headers.authorization ?? '');
  const basic = `Basic ${Buffer.from('vigil:airflow-pass-42').toString('base64')}`;
  if (auth !== basic && auth !== 'Bearer airflow-token-77')
    return { status: 401, json: { detail: `Invalid credentials ${auth}`, status: 401, title: 'Unauthorized', type: 'https://airflow.apache.org/docs/apache-airflow/2.9.0/stable-rest-api-ref.html#section/Errors/Unauthenticated' } };
  let m = /^\/api\/v1\/dags\/([^/]+)\/dagRuns$/.exec(req.path);
  if (m && req.method === 'POST') {
    if (m[1] !== 'rebuild_features') return { status: 404, json: { detail: `DAG with dag_id: '${decodeURIComponent(m[1]!)}' not found`, status: 404, title: 'DAG not found', type: 'https://airflow.apache.org/docs/apache-airflow/2.9.0/stable-rest-api-ref.html#section/Errors/NotFound' } };
    const body = req.json as { dag_run_id?: string; logical_date?: string; conf?: object };
    return {
      status: 200,
      json: { dag_id: m[1], dag_run_id: body.dag_run_id ?? 'manual__2026-12-05T05:00:00+00:00', logical_date: body.logical_date ?? '2026-12-05T05:00:00+00:00', state: 'queued', conf: body.conf, external_trigger: true, run_type: 'manual' },
    };
  }
  m = /^\/api\/v1\/dags\/([^/]+)\/clearTaskInstances$/.exec(req.path);
  if (m && req.method === 'POST') {
    const runId = (req.json as { dag_run_id: string }).dag_run_id;
    return { status: 200, json: { task_instances: [{ dag_id: m[1], dag_run_id: runId, task_id: 'extract', execution_date: '2026-12-04T00:00:00+00:00' }, { dag_id: m[1], dag_run_id: runId, task_id: 'load', execution_date: '2026-12-04T00:00:00+00:00' }] } };
  }
  return { status: 404, json: { detail: 'not found', status: 404, title: 'Not Found' } };
}

let airflowServer: RecordingServer;
before(async () => {
  airflowServer = await RecordingServer.start(airflowApi);
});
after(() => airflowServer.close());

const airflow = createActionHandlers({ commandAllowList: [] }).get('airflow')!;
const params = (p: Record<string, unknown>) => airflowActionSchema.parse(p);
const env = { AIRFLOW_PASSWORD: 'airflow-pass-42', AIRFLOW_TOKEN: 'airflow-token-77' };
const vars = { incident: { id: 'inc-9' }, labels: { dag_id: 'rebuild_features', run_id: 'scheduled__2026-12-04T00:00:00+00:00' } };

test('airflow: trigger POSTs a DAG run with templated conf, using basic auth', async () => {
  const step = params({ action: 'trigger', baseUrl: airflowServer.url, dagId: '{{ labels.dag_id }}', conf: { incident: '{{ incident.id }}', full: true }, dagRunId: 'vigil-{{ incident.id }}', username: 'vigil', passwordEnv: 'AIRFLOW_PASSWORD' });
  assert.deepEqual(airflow.targets(step, vars), ['airflow:rebuild_features']);
  assert.equal(airflow.describe(step, vars), `trigger a run of Airflow DAG rebuild_features at ${airflowServer.url}/`);
  const r = await airflow.run(step, actionContext({ vars, env }));
  assert.equal(r.ok, true, r.output);
  assert.equal(r.output, 'triggered Airflow DAG rebuild_features: run vigil-inc-9 (queued)');
  assert.deepEqual(r.changed, { dagId: 'rebuild_features', dagRunId: 'vigil-inc-9', state: 'queued', logicalDate: '2026-12-05T05:00:00+00:00' });
  const req = airflowServer.last();
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/api/v1/dags/rebuild_features/dagRuns');
  assert.equal(req.headers.authorization, `Basic ${Buffer.from('vigil:airflow-pass-42').toString('base64')}`);
  assert.match(String(req.headers['content-type']), /^application\/json/);
  assert.deepEqual(req.json, { conf: { incident: 'inc-9', full: true }, dag_run_id: 'vigil-inc-9' });
});

test('airflow: clear_failed retries a failed run through clearTaskInstances, with a bearer token', async () => {
  const step = params({ action: 'clear_failed', baseUrl: `${airflowServer.url}/api/v1/`, dagId: '{{ labels.dag_id }}', dagRunId: '{{ labels.run_id }}', tokenEnv: 'AIRFLOW_TOKEN' });
  const r = await airflow.run(step, actionContext({ vars, env }));
  assert.equal(r.ok, true, r.output);
  assert.equal(r.output, 'cleared 2 failed task instance(s) of Airflow DAG rebuild_features run scheduled__2026-12-04T00:00:00+00:00: extract, load');
  assert.deepEqual(r.changed, { dagId: 'rebuild_features', dagRunId: 'scheduled__2026-12-04T00:00:00+00:00', clearedTasks: ['extract', 'load'] });
  const req = airflowServer.last();
  assert.equal(req.path, '/api/v1/dags/rebuild_features/clearTaskInstances');
  assert.equal(req.headers.authorization, 'Bearer airflow-token-77');
  assert.deepEqual(req.json, { dry_run: false, only_failed: true, reset_dag_runs: true, dag_run_id: 'scheduled__2026-12-04T00:00:00+00:00' });
});

test('airflow: errors are ok:false with the problem detail, credentials scrubbed', async () => {
  const missing = await airflow.run(params({ action: 'trigger', baseUrl: airflowServer.url, dagId: 'no_such_dag', tokenEnv: 'AIRFLOW_TOKEN' }), actionContext({ env }));
  assert.equal(missing.ok, false);
  assert.equal(missing.output, "airflow: trigger no_such_dag: HTTP 404: DAG with dag_id: 'no_such_dag' not found");
  const denied = await airflow.run(params({ action: 'trigger', baseUrl: airflowServer.url, dagId: 'rebuild_features', username: 'vigil', passwordEnv: 'AIRFLOW_PASSWORD' }), actionContext({ env: { AIRFLOW_PASSWORD: 'wrong-password-1' } }));
  assert.equal(denied.ok, false);
  assert.match(denied.output, /HTTP 401: Invalid credentials Basic <redacted>/);
  assert.ok(!denied.output.includes(Buffer.from('vigil:wrong-password-1').toString('base64')));
});

test('airflow: the schema wants complete credentials', () => {
  assert.equal(airflowActionSchema.safeParse({ action: 'trigger', baseUrl: 'http://a', dagId: 'd', username: 'u' }).success, false);
  assert.equal(airflowActionSchema.safeParse({ action: 'clear_failed', baseUrl: 'http://a', dagId: 'd' }).success, false, 'clear_failed names the run');
  assert.equal(airflowActionSchema.safeParse({ action: 'pause', baseUrl: 'http://a', dagId: 'd' }).success, false);
});
