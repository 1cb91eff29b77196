import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { duration } from '../../config/fields.js';
import { SecretScrubber } from '../../notify/secrets.js';
import { renderTemplate } from '../template.js';
import type { ActionContext, ActionHandler, ActionResult, TemplateVars } from '../types.js';
import { deadline } from './abort.js';
import { envName, timeoutField } from './fields.js';
import { OUTPUT_LIMIT, boundedText, errorMessage, failed, succeeded } from './output.js';
import { CommandRefusedError, allowedProgram } from './program.js';
import { type Captured, runProcess } from './run-process.js';

/**
 * `type: command` — runs an allow-listed program directly (never through a
 * shell: `;`, `$(...)` and `*` in an argument are just characters):
 *
 *   - type: command
 *     argv: [/usr/bin/systemctl, restart, "{{ labels.unit }}"]
 *     env: [SYSTEMD_LOG_LEVEL]
 *     timeout: 30s
 *
 * The program (argv[0], resolved to an absolute path) must be listed exactly in
 * `remediation.handlers.command.allow`. The child sees only PATH and the variables
 * named in `env`; their values are scrubbed from the captured output.
 */
export const commandActionSchema = z.strictObject({
  argv: z.array(z.string()).min(1).refine((a) => a[0] !== '', 'argv[0] (the program) must not be empty'),
  /** Names of environment variables passed to the program (nothing else is, except PATH). */
  env: z.array(envName()).optional(),
  cwd: z.string().min(1).optional(),
  timeout: timeoutField(),
  /** Exit codes that count as success (default: 0). */
  okExitCodes: z.array(z.number().int().min(0).max(255)).min(1).optional(),
  /** Between SIGTERM and SIGKILL when the action is stopped (default 5s). */
  killGrace: duration({ min: 1 }).optional(),
});

export type CommandActionParams = z.output<typeof commandActionSchema>;

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_KILL_GRACE_MS = 5_000;

export function commandActionHandler(deps: { commandAllowList: readonly string[] }): ActionHandler<CommandActionParams> {
  const allowList = deps.commandAllowList;
  // A literal program is checked when the configuration loads, not at 3 a.m.
  const schema = commandActionSchema.superRefine((p, ctx) => {
    const program = p.argv[0]!;
    const cwdKnown = !p.cwd?.includes('{{');
    // A relative program under a templated working directory can only be resolved at run time.
    if (program.includes('{{') || (!cwdKnown && program.includes('/') && !isAbsolute(program))) return;
    try {
      allowedProgram(program, p.cwd, allowList);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['argv', 0], message: errorMessage(e) });
    }
  });
  const plan = (p: CommandActionParams, vars: TemplateVars) => {
    const argv = p.argv.map((a) => renderTemplate(a, vars));
    const cwd = p.cwd === undefined ? undefined : renderTemplate(p.cwd, vars);
    return { program: allowedProgram(argv[0]!, cwd, allowList), args: argv.slice(1), cwd };
  };
  return {
    type: 'command',
    schema,
    targets: (p, vars) => {
      const { program, args } = plan(p, vars);
      return [`command:${[program, ...args].join(' ')}`];
    },
    describe: (p, vars) => {
      const { program, args, cwd } = plan(p, vars);
      return `run ${[program, ...args].join(' ')}${cwd ? ` in ${cwd}` : ''}`;
    },
    run: async (p, ctx) => {
      let planned: ReturnType<typeof plan>;
      try {
        planned = plan(p, ctx.vars);
      } catch (e) {
        return failed(e instanceof CommandRefusedError ? e.message : `command: ${errorMessage(e)}`);
      }
      return runCommand(p, planned, ctx);
    },
  };
}

async function runCommand(
  p: CommandActionParams,
  planned: { program: string; args: string[]; cwd?: string },
  ctx: ActionContext,
): Promise<ActionResult> {
  const env: Record<string, string> = {};
  const path = ctx.env.PATH ?? process.env.PATH;
  if (path !== undefined) env.PATH = path;
  for (const name of p.env ?? []) {
    const value = ctx.env[name];
    if (value === undefined) ctx.logger.warn({ variable: name }, 'command: environment variable is not set; not passed');
    else env[name] = value;
  }
  const scrubber = new SecretScrubber(Object.entries(env).filter(([k]) => k !== 'PATH').map(([, v]) => v));
  const timeoutMs = p.timeout ?? DEFAULT_TIMEOUT_MS;
  const limit = deadline(ctx.signal, timeoutMs);
  const outcome = await runProcess({
    ...planned,
    env,
    signal: limit.signal,
    killGraceMs: p.killGrace ?? DEFAULT_KILL_GRACE_MS,
  });
  const shown = planned.program;
  if (!outcome.started) return failed(`command: ${shown} could not be started: ${scrubber.scrub(outcome.error)}`);
  const output = [section('stdout', outcome.stdout, scrubber), section('stderr', outcome.stderr, scrubber)].filter(Boolean).join('\n');
  if (outcome.aborted) return failed(`command: ${shown} ${limit.reason()}; process group killed${output ? `\n${output}` : ''}`);
  const okCodes = p.okExitCodes ?? [0];
  const status = outcome.code !== null ? `exited with code ${outcome.code}` : `was killed by ${outcome.signal}`;
  const changed = { exitCode: outcome.code };
  if (outcome.code === null || !okCodes.includes(outcome.code)) return failed(`command: ${shown} ${status}${output ? `\n${output}` : ''}`, changed);
  return succeeded(`${shown} ${status}${output ? `\n${output}` : ''}`, changed);
}

/** Half the output budget each, so a flood on stdout cannot hide stderr. */
function section(name: string, c: Captured, scrubber: SecretScrubber): string {
  const text = scrubber.scrub(c.text);
  if (!text && !c.droppedBytes) return '';
  return `[${name}]\n${boundedText(text, OUTPUT_LIMIT / 2, c.droppedBytes)}`;
}
