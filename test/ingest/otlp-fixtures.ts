export const NS = '1700000000123456789';
export const MS = 1_700_000_000_123;

export const attr = (key: string, value: Record<string, unknown>) => ({ key, value });

/** An OTLP/JSON request as an exporter would send it. */
export const sampleRequest = {
  resourceMetrics: [
    {
      resource: {
        attributes: [
          attr('service.name', { stringValue: 'checkout' }),
          attr('service.namespace', { stringValue: 'shop' }),
          attr('service.instance.id', { stringValue: 'pod-1' }),
          attr('host.name', { stringValue: 'node-7' }),
          attr('k8s.pod.restarts', { intValue: '2' }),
        ],
      },
      scopeMetrics: [
        {
          scope: { name: 'io.opentelemetry.http', version: '1.2.0' },
          metrics: [
            { name: 'queue.depth', unit: '1', gauge: { dataPoints: [{ timeUnixNano: NS, asDouble: 12.5, attributes: [attr('queue', { stringValue: 'orders' })] }] } },
            {
              name: 'http.requests',
              description: 'Requests served.',
              unit: '{request}',
              sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: NS, asInt: '42', attributes: [attr('http.method', { stringValue: 'GET' })] }] },
            },
            { name: 'inflight', sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [{ timeUnixNano: NS, asInt: '-3' }] } },
            {
              name: 'http.duration',
              unit: 's',
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [{ timeUnixNano: NS, count: '10', sum: 2.5, bucketCounts: ['1', '2', '7'], explicitBounds: [0.1, 1] }],
              },
            },
            {
              name: 'rpc.latency',
              summary: { dataPoints: [{ timeUnixNano: NS, count: '4', sum: 8, quantileValues: [{ quantile: 0.5, value: 1.5 }, { quantile: 0.99, value: 3 }] }] },
            },
          ],
        },
      ],
    },
  ],
};

