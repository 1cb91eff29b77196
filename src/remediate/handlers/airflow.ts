import { z } from 'zod';
import { SecretScrubber } from '../../notify/secrets.js';
import { renderDeep, renderTemplate } from '../template.js';
import type { ActionContext, ActionHandler, ActionResult, TemplateVars } from '../types.js';
import { deadline } from './abort.js';
import { envName, readEnvSecret, timeoutField } from './fields.js';
import { checkHttpUrl, httpCall, urlWithoutQuery } from './http-call.js';
import { errorMessage, failed, oneLine, succeeded } from './output.js';

/**
 * `type: airflow` — Apache Airflow's stable REST API (v1):
 *
 *   - { type: airflow, action: trigger, baseUrl: https://airflow.example.com, dagId: rebuild_features,
 *       conf: { incident: "{{ incident.id }}" }, username: vigil, passwordEnv: AIRFLOW_PASSWORD }
 *   - { type: airflow, action: clear_failed, baseUrl: https://airflow.example.com, dagId: "{{ labels.dag_id }}",
 *       dagRunId: "{{ labels.run_id }}", tokenEnv: AIRFLOW_TOKEN }
 *
 * trigger starts a new DAG run (POST /api/v1/dags/{dag_id}/dagRuns);
 * clear_failed retries a failed run by clearing its failed task instances
 * (POST /api/v1/dags/{dag_id}/clearTaskInstances), which sets the run running again.
 * Authentication: basic (username + password from an environment variable) or a bearer token.
 */
const common = {
  /** The Airflow webserver, e.g. https://airflow.example.com (the API lives under /api/v1). */
  baseUrl: z.string().min(1),
  dagId: z.string().min(1),
  username: z.string().min(1).optional(),
  passwordEnv: envName().optional(),
  tokenEnv: envName().optional(),
  timeout: timeoutField(),
};

type Auth = { username?: string; passwordEnv?: string; tokenEnv?: string };
const checkAuth = (p: Auth, ctx: z.RefinementCtx) => {
  if ((p.username === undefined) !== (p.passwordEnv === undefined))
    ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'basic authentication needs both username and passwordEnv' });
  if (p.tokenEnv !== undefined && p.username !== undefined) ctx.addIssue({ code: 'custom', path: ['tokenEnv'], message: 'use either tokenEnv or username/passwordEnv, not both' });
};

const triggerSchema = z
  .strictObject({
    action: z.literal('trigger'),
    ...common,
    /** The run's `conf` (strings inside are templates). */
    conf: z.record(z.string(), z.unknown()).optional(),
    /** RFC 3339 logical date; Airflow uses "now" without it. */
    logicalDate: z.string().min(1).optional(),
    dagRunId: z.string().min(1).optional(),
  })
  .superRefine(checkAuth);

const clearFailedSchema = z
  .strictObject({
    action: z.literal('clear_failed'),
    ...common,
    /** The failed run to retry. */
    dagRunId: z.string().min(1),
  })
  .superRefine(checkAuth);

export const airflowActionSchema = z.discriminatedUnion('action', [triggerSchema, clearFailedSchema]);

export type AirflowActionParams = z.output<typeof airflowActionSchema>;

const DEFAULT_TIMEOUT_MS = 30_000;

export function airflowActionHandler(deps: { fetch?: typeof fetch } = {}): ActionHandler<AirflowActionParams> {
  return {
    type: 'airflow',
    schema: airflowActionSchema,
    targets: (p, vars) => [`airflow:${renderTemplate(p.dagId, vars)}`],
    describe: (p, vars) => {
      const dag = renderTemplate(p.dagId, vars);
      const at = urlWithoutQuery(renderTemplate(p.baseUrl, vars));
      return p.action === 'trigger' ? `trigger a run of Airflow DAG ${dag} at ${at}` : `retry the failed tasks of Airflow DAG ${dag} run ${renderTemplate(p.dagRunId, vars)} at ${at}`;
    },
    run: (p, ctx) => runAirflow(p, ctx, deps.fetch ?? fetch),
  };
}

async function runAirflow(p: AirflowActionParams, ctx: ActionContext, fetchFn: typeof fetch): Promise<ActionResult> {
  const secrets: string[] = [];
  let call: { url: string; body: Record<string, unknown>; headers: Record<string, string>; dagId: string };
  try {
    call = buildCall(p, ctx.vars, ctx.env, secrets);
  } catch (e) {
    return failed(`airflow: ${new SecretScrubber(secrets).scrub(errorMessage(e))}`);
  }
  const scrubber = new SecretScrubber(secrets);
  const answer = await httpCall(
    { method: 'POST', url: call.url, headers: call.headers, body: JSON.stringify(call.body), deadline: deadline(ctx.signal, p.timeout ?? DEFAULT_TIMEOUT_MS), fetch: fetchFn },
    scrubber,
  );
  const what = `${p.action} ${call.dagId}`;
  if (!answer.ok) return failed(`airflow: ${what}: ${answer.reason}`);
  const json = parseJson(answer.body);
  if (answer.status < 200 || answer.status >= 300) return failed(`airflow: ${what}: ${scrubber.scrub(problemText(answer.status, json, answer.body))}`);
  if (p.action === 'trigger') {
    const run = (json ?? {}) as { dag_run_id?: string; state?: string; logical_date?: string };
    return succeeded(`triggered Airflow DAG ${call.dagId}: run ${run.dag_run_id ?? '(unnamed)'}${run.state ? ` (${run.state})` : ''}`, {
      dagId: call.dagId,
      dagRunId: run.dag_run_id,
      state: run.state,
      logicalDate: run.logical_date,
    });
  }
  const tasks = ((json ?? {}) as { task_instances?: Array<{ task_id?: string }> }).task_instances ?? [];
  const ids = tasks.map((t) => t.task_id).filter((id): id is string => typeof id === 'string');
  const runId = call.body.dag_run_id as string;
  const text = ids.length ? `cleared ${ids.length} failed task instance(s) of Airflow DAG ${call.dagId} run ${runId}: ${ids.join(', ')}` : `Airflow DAG ${call.dagId} run ${runId} has no failed task instances; nothing cleared`;
  return succeeded(scrubber.scrub(text), { dagId: call.dagId, dagRunId: runId, clearedTasks: ids });
}

function buildCall(p: AirflowActionParams, vars: TemplateVars, env: ActionContext['env'], secrets: string[]) {
  const base = checkHttpUrl(renderTemplate(p.baseUrl, vars)).replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  const dagId = renderTemplate(p.dagId, vars);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Vigil-Remediate/1' };
  if (p.username !== undefined && p.passwordEnv !== undefined) {
    const password = readEnvSecret(env, p.passwordEnv, 'the Airflow password');
    const basic = Buffer.from(`${renderTemplate(p.username, vars)}:${password}`).toString('base64');
    secrets.push(password, basic);
    headers.authorization = `Basic ${basic}`;
  } else if (p.tokenEnv !== undefined) {
    const token = readEnvSecret(env, p.tokenEnv, 'the Airflow API token');
    secrets.push(token);
    headers.authorization = `Bearer ${token}`;
  }
  const dag = `${base}/api/v1/dags/${encodeURIComponent(dagId)}`;
  if (p.action === 'trigger') {
    const body: Record<string, unknown> = { conf: p.conf ? renderDeep(p.conf, vars) : {} };
    if (p.logicalDate) body.logical_date = renderTemplate(p.logicalDate, vars);
    if (p.dagRunId) body.dag_run_id = renderTemplate(p.dagRunId, vars);
    return { url: `${dag}/dagRuns`, body, headers, dagId };
  }
  // reset_dag_runs (Airflow's default, written out): the cleared run goes back to running.
  const body = { dry_run: false, only_failed: true, reset_dag_runs: true, dag_run_id: renderTemplate(p.dagRunId, vars) };
  return { url: `${dag}/clearTaskInstances`, body, headers, dagId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Airflow answers errors as problem+json: `{ status, title, detail, type }`. */
function problemText(status: number, json: unknown, raw: string): string {
  const problem = json as { title?: string; detail?: string } | undefined;
  const text = problem?.detail ?? problem?.title ?? raw;
  const snippet = oneLine(String(text)).slice(0, 300);
  return `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
}
