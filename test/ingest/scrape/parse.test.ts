import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpositionParseError, formatFromContentType, formatGoFloat, parseExposition, parseExpositionWithMetadata } from '../../../src/ingest/scrape/parse.js';

test('Prometheus 0.0.4 text: comments, HELP/TYPE, escaping, timestamps, special values, histograms', () => {
  const text = [
    '# HELP http_requests_total The total number of HTTP requests.',
    '# TYPE http_requests_total counter',
    'http_requests_total{method="post",code="200"} 1027 1395066363000',
    'http_requests_total{method="post",code="400"}    3   1395066363000',
    '',
    '# A plain comment',
    'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
    'metric_without_timestamp_and_labels 12.47',
    'something_weird{problem="division by zero"} +Inf -3982045',
    'nan_metric NaN',
    'neg_inf{a="b",} -Inf',
    '# TYPE http_request_duration_seconds histogram',
    'http_request_duration_seconds_bucket{le="0.05"} 24054',
    'http_request_duration_seconds_bucket{le="1"} 33444',
    'http_request_duration_seconds_bucket{le="+Inf"} 144320',
    'http_request_duration_seconds_sum 53423',
    'http_request_duration_seconds_count 144320',
    '# TYPE rpc_duration_seconds summary',
    'rpc_duration_seconds{quantile="0.5"} 4773',
    'rpc_duration_seconds_sum 1.7560473e+07',
    '',
  ].join('\n');
  const s = parseExposition(text, 'prometheus');
  assert.equal(s.length, 14);
  assert.deepEqual(s[0], { labels: { __name__: 'http_requests_total', method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000 });
  assert.equal(s[1]!.value, 3);
  assert.equal(s[2]!.labels.path, 'C:\\DIR\\FILE.TXT');
  assert.equal(s[2]!.labels.error, 'Cannot find file:\n"FILE.TXT"');
  assert.equal(s[2]!.value, 1.458255915e9);
  assert.equal(s[3]!.timestamp, undefined);
  assert.equal(s[4]!.value, Infinity);
  assert.equal(s[4]!.timestamp, -3982045);
  assert.ok(Number.isNaN(s[5]!.value));
  assert.equal(s[6]!.value, -Infinity);
  assert.deepEqual(s[6]!.labels, { __name__: 'neg_inf', a: 'b' });
  // le / quantile normalised to one float spelling, as Prometheus 3 does.
  assert.deepEqual(s.slice(7, 10).map((x) => x.labels.le), ['0.05', '1.0', '+Inf']);
  assert.equal(s[12]!.labels.quantile, '0.5');
  assert.equal(s[13]!.value, 1.7560473e7);
});

test('OpenMetrics 1.0: UNIT, _total, _created skipped, exemplars ignored, float-second timestamps, # EOF', () => {
  const text = [
    '# TYPE acme_http_router_request_seconds summary',
    '# UNIT acme_http_router_request_seconds seconds',
    '# HELP acme_http_router_request_seconds Latency though all of ACME\'s global HTTP routers.',
    'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
    'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
    'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
    '# TYPE go_goroutines gauge',
    'go_goroutines 69 1605281325.5',
    '# TYPE foo counter',
    'foo_total{a="x \\" # {y}"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
    'foo_created 1520430000.123',
    '# TYPE hist histogram',
    'hist_bucket{le="0.01"} 0',
    'hist_bucket{le="1.0"} 1 # {id="a"} 0.5 123',
    'hist_bucket{le="+Inf"} 2',
    'hist_count 2',
    'hist_sum 1.5',
    '# EOF',
  ].join('\n') + '\n';
  const s = parseExposition(text, 'openmetrics');
  const names = s.map((x) => x.labels.__name__);
  assert.deepEqual(names, [
    'acme_http_router_request_seconds_sum',
    'acme_http_router_request_seconds_count',
    'go_goroutines',
    'foo_total',
    'hist_bucket',
    'hist_bucket',
    'hist_bucket',
    'hist_count',
    'hist_sum',
  ]);
  assert.equal(s[2]!.timestamp, 1605281325500);
  assert.equal(s[3]!.labels.a, 'x " # {y}');
  assert.equal(s[3]!.value, 17);
  assert.equal(s[3]!.timestamp, 1520879607789);
  assert.deepEqual(s.slice(4, 7).map((x) => x.labels.le), ['0.01', '1.0', '+Inf']);
});

test('TYPE, HELP and UNIT lines become metadata per family, as Prometheus keeps it', () => {
  const prom = parseExpositionWithMetadata(
    [
      '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.',
      '# TYPE node_cpu_seconds_total counter',
      'node_cpu_seconds_total{cpu="0",mode="idle"} 10',
      '# HELP   odd_help  Escapes: a \\\\ backslash,\\na newline, \\t kept.',
      '# TYPE legacy untyped',
      'legacy 1',
      'undocumented 2',
      '# HELP only_help',
      '',
    ].join('\n'),
    'prometheus',
  );
  assert.deepEqual(prom.metadata, [
    { family: 'node_cpu_seconds_total', type: 'counter', help: 'Seconds the CPUs spent in each mode.', unit: '' },
    { family: 'odd_help', type: 'unknown', help: 'Escapes: a \\ backslash,\na newline, \\t kept.', unit: '' },
    { family: 'only_help', type: 'unknown', help: '', unit: '' },
    { family: 'legacy', type: 'unknown', help: '', unit: '' },
  ]);
  assert.equal(prom.samples.length, 3, 'the samples as parseExposition gives them');

  const om = parseExpositionWithMetadata(
    ['# TYPE rpc_seconds histogram', '# UNIT rpc_seconds seconds', '# HELP rpc_seconds RPC latency, \\"quoted\\".', 'rpc_seconds_bucket{le="+Inf"} 3', 'rpc_seconds_count 3', 'rpc_seconds_sum 1.5', '# TYPE up_info info', 'up_info{v="1"} 1', '# EOF', ''].join('\n'),
    'openmetrics',
  );
  assert.deepEqual(om.metadata, [
    { family: 'rpc_seconds', type: 'histogram', help: 'RPC latency, "quoted".', unit: 'seconds' },
    { family: 'up_info', type: 'info', help: '', unit: '' },
  ]);
});

test('bad input fails with the line number and the problem', () => {
  const cases: Array<[string, 'prometheus' | 'openmetrics', RegExp]> = [
    ['ok 1\nbad{a="1" 2\n', 'prometheus', /^line 2: expected "," or "}"/],
    ['ok 1\n\nm{a="1"} abc\n', 'prometheus', /^line 3: invalid value "abc" for m/],
    ['m 1 12.5\n', 'prometheus', /^line 1: invalid timestamp "12.5"/],
    ['m{1a="x"} 1\n', 'prometheus', /^line 1: invalid label name/],
    ['m{a="x",a="y"} 1\n', 'prometheus', /^line 1: duplicate label name a/],
    ['m{a="x} 1\n', 'prometheus', /^line 1: unterminated value for label a/],
    ['# TYPE m nonsense\n', 'prometheus', /^line 1: invalid metric type "nonsense"/],
    ['m\n', 'prometheus', /^line 1: missing value for m/],
    ['m 1 2 3\n', 'prometheus', /^line 1: unexpected "3"/],
    ['{a="b"} 1\n', 'prometheus', /^line 1: expected a metric name/],
    ['m 1\n', 'openmetrics', /^line 2: missing "# EOF"/],
    ['m 1\n# EOF\nn 2\n', 'openmetrics', /^line 3: content after "# EOF"/],
    ['m{a="\\t"} 1\n# EOF\n', 'openmetrics', /^line 1: invalid escape/],
  ];
  for (const [text, format, re] of cases) {
    assert.throws(
      () => parseExposition(text, format),
      (e: unknown) => e instanceof ExpositionParseError && re.test(e.message),
      `${JSON.stringify(text)} should fail with ${re}`,
    );
  }
});

test('content type picks the parser; Go float formatting for le/quantile', () => {
  assert.equal(formatFromContentType('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(formatFromContentType('text/plain; version=0.0.4; charset=utf-8'), 'prometheus');
  assert.equal(formatFromContentType(null), 'prometheus');
  assert.deepEqual([1, 0.005, 2.5, 1e6, 100000, 1e-5, 0].map(formatGoFloat), ['1.0', '0.005', '2.5', '1e+06', '100000.0', '1e-05', '0.0']);
});
