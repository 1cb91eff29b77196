import { Rng, type Seed } from './random.js';

/**
 * The simulated fleet as plain data: services, the hosts that run their replicas, and the
 * dependency graph. An edge `from -> to` means `from` calls `to`; its weight is the number of
 * calls to `to` per request that `from` handles (so load flows along edges, and faults flow back).
 */

export const SERVICE_TYPES = ['lb', 'web', 'api', 'database', 'cache', 'queue', 'etl'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export type Criticality = 'critical' | 'high' | 'medium' | 'low';

export interface ServiceNode {
  name: string;
  type: ServiceType;
  criticality: Criticality;
  /** Depth in the call graph: 0 for load balancers, 1 for web and ETL, then API tiers, then data stores. */
  tier: number;
  /** Names of the hosts running a replica (each host runs exactly one service). */
  hosts: string[];
}

export interface DependencyEdge {
  from: string;
  to: string;
  weight: number;
}

export interface HostSpec {
  name: string;
  service: string;
  cpuCores: number;
  memoryBytes: number;
  diskBytes: number;
}

export interface Topology {
  services: ServiceNode[];
  edges: DependencyEdge[];
  hosts: HostSpec[];
}

export interface TopologyOptions {
  seed?: Seed;
  /** Number of services; default 6 (one of each kind but load balancers). */
  services?: number;
  /** Replicas per service; default 2. Ignored when `hosts` is given. */
  hostsPerService?: number;
  /** Total hosts, spread over services (at least one each, more for web and API tiers). */
  hosts?: number;
  /** Put load balancers in front of the web tier; default on from 20 services. */
  loadBalancers?: boolean;
}

const GIB = 1024 ** 3;

/** Typical machine sizes per role, so byte-valued metrics have believable magnitudes. */
export const HARDWARE: Record<ServiceType, { cpuCores: number; memoryBytes: number; diskBytes: number }> = {
  lb: { cpuCores: 2, memoryBytes: 4 * GIB, diskBytes: 20 * GIB },
  web: { cpuCores: 4, memoryBytes: 8 * GIB, diskBytes: 50 * GIB },
  api: { cpuCores: 8, memoryBytes: 16 * GIB, diskBytes: 100 * GIB },
  database: { cpuCores: 16, memoryBytes: 64 * GIB, diskBytes: 1000 * GIB },
  cache: { cpuCores: 4, memoryBytes: 32 * GIB, diskBytes: 50 * GIB },
  queue: { cpuCores: 8, memoryBytes: 16 * GIB, diskBytes: 500 * GIB },
  etl: { cpuCores: 8, memoryBytes: 32 * GIB, diskBytes: 500 * GIB },
};

const NAMES: Record<ServiceType, { pool: readonly string[]; suffix: string }> = {
  lb: { pool: ['edge', 'public', 'partner', 'internal', 'mobile'], suffix: 'lb' },
  web: { pool: ['storefront', 'admin', 'mobile-bff', 'partner-portal', 'help-center', 'marketing', 'seller-portal', 'docs'], suffix: 'web' },
  api: {
    pool: ['checkout', 'catalog', 'user', 'auth', 'payment', 'inventory', 'search', 'pricing', 'shipping', 'cart', 'order',
      'recommendation', 'review', 'notification', 'profile', 'billing', 'loyalty', 'media', 'geo', 'fraud', 'tax', 'coupon'],
    suffix: 'api',
  },
  database: { pool: ['orders', 'users', 'catalog', 'payments', 'inventory', 'billing', 'analytics', 'reviews'], suffix: 'db' },
  cache: { pool: ['session', 'catalog', 'pricing', 'rate-limit', 'feature-flag', 'search'], suffix: 'cache' },
  queue: { pool: ['events', 'orders', 'notifications', 'audit', 'email'], suffix: 'queue' },
  etl: { pool: ['billing', 'reporting', 'search-index', 'recommendations', 'warehouse', 'ledger'], suffix: 'etl' },
};

/** The first six services, in order, for small fleets (the demo uses all six). */
const SMALL_FLEET: readonly ServiceType[] = ['web', 'api', 'database', 'cache', 'queue', 'etl'];

const SHARE: Record<ServiceType, number> = { lb: 0.05, web: 0.08, api: 0.45, database: 0.14, cache: 0.1, queue: 0.07, etl: 0.11 };
const HOST_WEIGHT: Record<ServiceType, number> = { lb: 1, web: 2, api: 2, database: 2, cache: 1.5, queue: 1.5, etl: 1 };

export function generateTopology(opts: TopologyOptions = {}): Topology {
  const n = Math.floor(opts.services ?? 6);
  if (!(n >= 1)) throw new RangeError('a fleet needs at least one service');
  const rng = new Rng(opts.seed ?? 1);
  const withLb = opts.loadBalancers ?? n >= 20;
  const counts = typeCounts(n, withLb);

  const services: ServiceNode[] = [];
  const byType = new Map<ServiceType, ServiceNode[]>(SERVICE_TYPES.map((t) => [t, []]));
  const add = (type: ServiceType, tier: number, criticality: Criticality): ServiceNode => {
    const list = byType.get(type)!;
    const node: ServiceNode = { name: serviceName(type, list.length), type, criticality, tier, hosts: [] };
    list.push(node);
    services.push(node);
    return node;
  };

  const apiTiers = splitTiers(counts.api);
  const storeTier = 2 + apiTiers.length;
  for (let i = 0; i < counts.lb; i++) add('lb', 0, 'critical');
  for (let i = 0; i < counts.web; i++) add('web', 1, 'critical');
  const tiers: ServiceNode[][] = apiTiers.map((size, k) => {
    const tier: ServiceNode[] = [];
    for (let i = 0; i < size; i++) tier.push(add('api', 2 + k, apiCriticality(rng, k)));
    return tier;
  });
  for (let i = 0; i < counts.database; i++) add('database', storeTier, 'critical');
  for (let i = 0; i < counts.cache; i++) add('cache', storeTier, 'high');
  for (let i = 0; i < counts.queue; i++) add('queue', storeTier, 'high');
  for (let i = 0; i < counts.etl; i++) add('etl', 1, rng.chance(0.3) ? 'medium' : 'low');

  const edges = wire(rng, byType, tiers);
  const hosts = placeHosts(services, opts);
  return { services, edges, hosts };
}

function typeCounts(n: number, withLb: boolean): Record<ServiceType, number> {
  const counts: Record<ServiceType, number> = { lb: 0, web: 0, api: 0, database: 0, cache: 0, queue: 0, etl: 0 };
  if (n <= SMALL_FLEET.length) {
    for (const t of SMALL_FLEET.slice(0, n)) counts[t]++;
    return counts;
  }
  const types = SERVICE_TYPES.filter((t) => withLb || t !== 'lb');
  const total = types.reduce((s, t) => s + SHARE[t], 0);
  // Largest remainder over the shares, with at least one service of every type.
  const exact = types.map((t) => Math.max(1, (n * SHARE[t]) / total));
  for (const [i, t] of types.entries()) counts[t] = Math.floor(exact[i]!);
  let left = n - types.reduce((s, t) => s + counts[t], 0);
  const order = types.map((t, i) => ({ t, r: exact[i]! - counts[t] })).sort((a, b) => b.r - a.r);
  for (let i = 0; left > 0; i = (i + 1) % order.length, left--) counts[order[i]!.t]++;
  // Rounding up to one of each may overshoot on small fleets: take the excess from the API pool.
  while (left < 0) {
    const t = counts.api > 1 ? 'api' : types.find((x) => counts[x] > 1)!;
    counts[t]--;
    left++;
  }
  return counts;
}

/** Deeper call chains in bigger fleets (up to five API tiers), so cascades travel several hops. */
function splitTiers(apis: number): number[] {
  if (apis === 0) return [];
  const depth = apis <= 2 ? 1 : Math.min(5, 1 + Math.floor(Math.log2(apis) / 1.6));
  const sizes: number[] = [];
  for (let k = 0; k < depth; k++) sizes.push(Math.floor(apis / depth) + (k < apis % depth ? 1 : 0));
  return sizes;
}

function apiCriticality(rng: Rng, tier: number): Criticality {
  if (tier === 0) return 'high';
  if (tier === 1) return rng.chance(0.5) ? 'high' : 'medium';
  return rng.chance(0.6) ? 'medium' : 'low';
}

function serviceName(type: ServiceType, i: number): string {
  const { pool, suffix } = NAMES[type];
  const round = Math.floor(i / pool.length);
  const base = `${pool[i % pool.length]}-${suffix}`;
  return round === 0 ? base : `${base}-${round + 1}`;
}

/** Edges only point to a higher tier, so the graph is acyclic by construction. */
function wire(rng: Rng, byType: Map<ServiceType, ServiceNode[]>, tiers: ServiceNode[][]): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  const seen = new Set<string>();
  const link = (from: ServiceNode, to: ServiceNode, weight: number): void => {
    const key = from.name + '\u0000' + to.name;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from: from.name, to: to.name, weight: round3(weight) });
  };
  const hasCaller = (s: ServiceNode): boolean => edges.some((e) => e.to === s.name);
  const lbs = byType.get('lb')!;
  const webs = byType.get('web')!;
  const dbs = byType.get('database')!;
  const caches = byType.get('cache')!;
  const queues = byType.get('queue')!;
  const etls = byType.get('etl')!;
  const apis = tiers.flat();
  const front = tiers[0] ?? [];

  // Load balancers split their traffic over the web tier (and public APIs, if there are spare balancers).
  if (lbs.length) {
    const targets = lbs.length > webs.length ? [...webs, ...front] : webs;
    const share = new Map<ServiceNode, ServiceNode[]>(lbs.map((lb) => [lb, []]));
    targets.forEach((t, i) => share.get(lbs[i % lbs.length]!)!.push(t));
    for (const [lb, ts] of share) for (const t of ts) link(lb, t, 1 / ts.length);
  }

  for (const w of webs) for (const a of rng.sample(front, rng.int(2, 4))) link(w, a, rng.uniform(0.4, 1.5));
  for (const a of front) if (!hasCaller(a) && webs.length) link(rng.pick(webs), a, rng.uniform(0.4, 1.5));

  for (let k = 0; k + 1 < tiers.length; k++) {
    const next = tiers[k + 1]!;
    for (const a of tiers[k]!) {
      for (const b of rng.sample(next, rng.int(1, 3))) link(a, b, rng.uniform(0.2, 1));
      const skip = tiers[k + 2];
      if (skip && rng.chance(0.15)) link(a, rng.pick(skip), rng.uniform(0.1, 0.5));
    }
    for (const b of next) if (!hasCaller(b)) link(rng.pick(tiers[k]!), b, rng.uniform(0.2, 1));
  }

  const deepest = tiers.length - 1;
  for (const a of apis) {
    const leaf = a.tier - 2 === deepest;
    // Leaf APIs own state, so they always have a database; others sometimes do.
    if (dbs.length && (leaf || rng.chance(0.45))) link(a, rng.pick(dbs), rng.uniform(0.5, 3));
    if (caches.length && rng.chance(leaf ? 0.5 : 0.35)) link(a, rng.pick(caches), rng.uniform(1, 4));
    if (queues.length && rng.chance(0.25)) link(a, rng.pick(queues), rng.uniform(0.05, 0.4));
  }

  // ETL workers consume a queue, write to databases in batches (one statement per 20-100 rows),
  // and sometimes look rows up in a back-end API.
  for (const e of etls) {
    if (queues.length) link(e, rng.pick(queues), 1);
    for (const d of rng.sample(dbs, rng.int(1, 2))) link(e, d, rng.uniform(0.01, 0.05));
    if (apis.length && rng.chance(0.2)) link(e, rng.pick(tiers[deepest]!), rng.uniform(0.005, 0.02));
  }

  // Every data store has a client.
  const clients = apis.length ? apis : [...webs, ...etls];
  for (const s of [...dbs, ...caches, ...queues]) {
    if (hasCaller(s) || clients.length === 0) continue;
    const byEtl = s.type !== 'cache' && etls.length > 0 && (apis.length === 0 || rng.chance(0.3));
    const c = byEtl ? rng.pick(etls) : rng.pick(clients);
    const w = byEtl ? (s.type === 'queue' ? 1 : rng.uniform(0.01, 0.05)) : s.type === 'queue' ? rng.uniform(0.05, 0.4) : rng.uniform(0.5, 3);
    link(c, s, w);
  }
  return edges;
}

function placeHosts(services: ServiceNode[], opts: TopologyOptions): HostSpec[] {
  const replicas = services.map(() => Math.max(1, Math.floor(opts.hostsPerService ?? 2)));
  if (opts.hosts !== undefined) {
    const total = Math.floor(opts.hosts);
    if (total < services.length) throw new RangeError(`${total} hosts cannot run ${services.length} services (one host each at least)`);
    const weights = services.map((s) => HOST_WEIGHT[s.type]);
    const sum = weights.reduce((a, b) => a + b, 0);
    const spare = total - services.length;
    const exact = weights.map((w) => (spare * w) / sum);
    exact.forEach((x, i) => (replicas[i] = 1 + Math.floor(x)));
    let left = total - replicas.reduce((a, b) => a + b, 0);
    const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
    for (let k = 0; left > 0; k++, left--) replicas[order[k % order.length]!.i]!++;
  }
  const total = replicas.reduce((a, b) => a + b, 0);
  const width = Math.max(2, String(total).length);
  const hosts: HostSpec[] = [];
  services.forEach((s, i) => {
    for (let r = 0; r < replicas[i]!; r++) {
      const name = `host-${String(hosts.length + 1).padStart(width, '0')}`;
      s.hosts.push(name);
      hosts.push({ name, service: s.name, ...HARDWARE[s.type] });
    }
  });
  return hosts;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
