/**
 * A service's type from what its name and metrics say, for services nobody declared:
 * well-known product names and metric prefixes (exporters), then naming conventions.
 */
const BY_NAME: ReadonlyArray<[string, RegExp]> = [
  ['database', /postgres|pgsql|mysql|mariadb|mongo|cassandra|dynamodb|cockroach|clickhouse|oracle|mssql|(^|[-_.])(db|database|sql|rds)([-_.]|$)/i],
  ['cache', /redis|memcache|valkey|(^|[-_.])cache([-_.]|$)/i],
  ['queue', /kafka|rabbit|nats|sqs|pulsar|activemq|(^|[-_.])(queue|mq|broker|stream)([-_.]|$)/i],
  ['etl', /airflow|spark|flink|(^|[-_.])(etl|batch|pipeline|ingest|job|cron)([-_.]|$)/i],
  ['lb', /haproxy|envoy|traefik|(^|[-_.])(lb|elb|alb|ingress|gateway)([-_.]|$)/i],
  ['network', /(^|[-_.])(net|network|switch|router|vpn|link|dns)([-_.]|$)/i],
  ['web', /frontend|(^|[-_.])(web|ui|site|portal|bff)([-_.]|$)/i],
  ['api', /(^|[-_.])(api|svc|service|server|backend)([-_.]|$)/i],
];

const BY_METRIC: ReadonlyArray<[string, RegExp]> = [
  ['database', /^(pg|postgres|mysql|mongodb|db|cassandra)_/],
  ['cache', /^(redis|memcached|cache)_/],
  ['queue', /^(kafka|rabbitmq|nats|queue)_/],
  ['etl', /^etl_/],
  ['lb', /^(haproxy|envoy|nginx|traefik)_/],
];

const TYPE_LABEL_VALUES: Readonly<Record<string, string>> = {
  database: 'database', db: 'database', cache: 'cache', queue: 'queue', messaging: 'queue', etl: 'etl', batch: 'etl',
  lb: 'lb', loadbalancer: 'lb', network: 'network', web: 'web', frontend: 'web', api: 'api', application: 'application', app: 'application',
};

export function typeFromLabel(value: string | undefined): string | undefined {
  return value ? TYPE_LABEL_VALUES[value.toLowerCase()] : undefined;
}

export function inferServiceType(name: string, metric?: string): string {
  if (metric) for (const [type, re] of BY_METRIC) if (re.test(metric)) return type;
  for (const [type, re] of BY_NAME) if (re.test(name)) return type;
  return 'unknown';
}
