import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Route, defaultRoutingConfig, buildRouteTree, parseMatchers } from '../../../src/alerting/dispatch/index.js';
import { routingSchema } from '../../../src/config/sections/routing.js';
import { parse as parseYaml } from 'yaml';
import { S, alert, harness, routing } from './helpers.js';

test('default routing is the severity table: critical and high page and post, medium and low post, info is logged only', () => {
  const h = harness();
  const sev = ['critical', 'high', 'medium', 'low', 'info'] as const;
  h.receive(0, ...sev.map((s) => alert({ alertname: `A-${s}`, service: 'api' }, { severity: s })));
  const ns = h.run(30 * S);
  const to = (s: string) => ns.filter((n) => n.alerts.some((a) => a.severity === s)).map((n) => `${n.receiver}:${n.channels.join('+') || 'log only'}`).sort();
  assert.deepEqual(to('critical'), ['pagerduty:pagerduty', 'slack:slack']);
  assert.deepEqual(to('high'), ['pagerduty:pagerduty', 'slack:slack']);
  assert.deepEqual(to('medium'), ['slack:slack']);
  assert.deepEqual(to('low'), ['slack:slack']);
  assert.deepEqual(to('info'), ['log:log only']);
});

test('the severity label routing sees is Vigil\'s severity (Alertmanager\'s "warning" arrives as medium)', () => {
  const h = harness();
  h.receive(0, alert({ alertname: 'FromAM', severity: 'warning' }, { severity: 'medium', source: 'alertmanager' }));
  const [n] = h.run(30 * S);
  assert.equal(n!.receiver, 'slack');
  assert.equal(n!.alerts[0]!.labels.severity, 'medium');
});

test('continue: an alert goes to the first matching child only, unless that child continues', () => {
  const tree = (cont: boolean) =>
    buildRouteTree(
      routing(`
route:
  receiver: default
  routes:
    - { matchers: ['team="db"'], receiver: db-pager, continue: ${cont} }
    - { matchers: ['team=~"db|web"'], receiver: db-slack }
    - { matchers: ['team="db"'], receiver: never }
receivers: [{ name: default }, { name: db-pager }, { name: db-slack }, { name: never }]
`),
    );
  const receivers = (r: Route, labels: Record<string, string>) => r.match(labels).map((x) => x.options.receiver);
  assert.deepEqual(receivers(tree(false), { team: 'db' }), ['db-pager']);
  assert.deepEqual(receivers(tree(true), { team: 'db' }), ['db-pager', 'db-slack']);
  assert.deepEqual(receivers(tree(true), { team: 'web' }), ['db-slack']);
  assert.deepEqual(receivers(tree(true), { team: 'ops' }), ['default'], 'no child matches: the parent takes it');
});

test('children inherit what they do not set, depth-first matching', () => {
  const root = buildRouteTree(
    routing(`
route:
  receiver: a
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['service="api"']
      group_interval: 1m
      routes:
        - { matchers: ['severity="critical"'], receiver: b, group_by: [instance] }
receivers: [{ name: a }, { name: b }]
`),
  );
  const [leaf] = root.match({ service: 'api', severity: 'critical' });
  assert.deepEqual({ ...leaf!.options }, { receiver: 'b', groupBy: ['instance'], groupByAll: false, groupWaitMs: 10_000, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3600_000 });
  const [mid] = root.match({ service: 'api', severity: 'low' });
  assert.equal(mid!.options.receiver, 'a');
  assert.deepEqual(mid!.options.groupBy, ['alertname']);
  assert.deepEqual(root.options.groupWaitMs, 10_000);
  assert.equal(root.match({ service: 'web' })[0], root);
});

test('matcher strings as in alertmanager.yml', () => {
  const ms = parseMatchers('{alertname="Down", job=~"node.*", env!=staging}');
  assert.deepEqual(ms.map(String), ['alertname="Down"', 'job=~"node.*"', 'env!="staging"']);
  assert.ok(ms[1]!.matches({ job: 'node_exporter' }));
  assert.ok(!ms[1]!.matches({ job: 'xnode' }), 'regexes are anchored');
  assert.throws(() => parseMatchers('severity=~"("'), /invalid regular expression/);
  assert.throws(() => parseMatchers('1abc="x"'), /invalid matcher/);
});

test('the routing section: defaults, Alertmanager keys, and errors that name the field', () => {
  const def = routingSchema.parse(undefined);
  assert.deepEqual(def.receivers.map((r) => r.name), defaultRoutingConfig().receivers.map((r) => r.name));
  const c = routing(`
route:
  receiver: ops
  group_by: [alertname, service]
  group_wait: 1m
  routes:
    - match: { team: db }
      match_re: { service: "pg.*" }
      receiver: dba
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity=~"medium|low"']
    equal: [service]
escalations:
  - after: 15m
    matchers: ['severity="high"']
    add_receivers: [dba]
receivers:
  - { name: ops, channels: [ops-slack] }
  - { name: dba, channels: [dba-pager], send_resolved: false }
`);
  assert.equal(c.route.groupWaitMs, 60_000);
  assert.deepEqual(c.route.routes![0]!.matchers, [
    { name: 'team', type: '=', value: 'db' },
    { name: 'service', type: '=~', value: 'pg.*' },
  ]);
  assert.deepEqual(c.escalations, [{ afterMs: 900_000, matchers: [{ name: 'severity', type: '=', value: 'high' }], raiseSeverity: true, addReceivers: ['dba'] }]);
  assert.equal(c.receivers[1]!.sendResolved, false);

  const errors = (yaml: string) => {
    const r = routingSchema.safeParse(parseYaml(yaml));
    assert.ok(!r.success, 'expected errors');
    return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(errors(`{ route: { receiver: nobody }, receivers: [{ name: ops }] }`), ['route.receiver: undefined receiver "nobody" used in route']);
  assert.deepEqual(errors(`{ route: { receiver: ops, matchers: ['a="b"'] }, receivers: [{ name: ops }] }`), ['route.matchers: root route must not have any matchers']);
  assert.deepEqual(errors(`{ route: { receiver: ops, group_by: ['...', alertname] }, receivers: [{ name: ops }] }`), [
    'route.group_by.0: cannot have wildcard group_by (`...`) and other labels at the same time',
  ]);
  assert.match(errors(`{ route: { receiver: ops, routes: [{ matchers: ['sev=~"("'] }] }, receivers: [{ name: ops }] }`)[0]!, /^route\.routes\.0\.matchers\.0: invalid regular expression/);
  assert.deepEqual(errors(`{ route: { receiver: ops, group_interval: 0 }, receivers: [{ name: ops }] }`), ['route.group_interval: must be greater than 0']);
  assert.deepEqual(errors(`{ route: { receiver: ops, mute_time_intervals: [x] }, receivers: [{ name: ops }] }`).length, 1, 'unsupported keys are errors');
  assert.deepEqual(errors(`{ escalations: [{ after: 15m, add_receivers: [ghost] }] }`), ['escalations.0.add_receivers.0: undefined receiver "ghost"']);
  assert.deepEqual(errors(`{ receivers: [{ name: a }, { name: a }], route: { receiver: a } }`), ['receivers.1.name: notification config name "a" is not unique']);
});
