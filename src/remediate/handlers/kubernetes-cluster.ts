import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Where the Kubernetes API server is and how to authenticate to it.
 *
 *   kubernetes: { server: https://10.0.0.1:6443, tokenEnv: VIGIL_K8S_TOKEN, caFile: /etc/vigil/k8s-ca.crt }
 *   kubernetes: { kubeconfig: /etc/vigil/kubeconfig }           # current-context, or `context:`
 *   kubernetes: {}                                              # in-cluster: service account
 *
 * Fields written here override what the kubeconfig says. With neither `server`
 * nor `kubeconfig`, Vigil uses the in-cluster service account (the
 * KUBERNETES_SERVICE_HOST/PORT variables, its token and CA files).
 */
export interface KubernetesClusterConfig {
  server?: string;
  /** Environment variable holding a bearer token. */
  tokenEnv?: string;
  /** File holding a bearer token, re-read on every request (projected tokens rotate). */
  tokenFile?: string;
  /** PEM file with the CA that signed the API server's certificate. */
  caFile?: string;
  insecureSkipTlsVerify?: boolean;
  /** Path of a kubeconfig file. */
  kubeconfig?: string;
  /** Kubeconfig context to use (default: its current-context). */
  context?: string;
}

/** Everything one request needs, read fresh for each action. */
export interface KubernetesConnection {
  server: string;
  token?: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTlsVerify: boolean;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

type Env = Readonly<Record<string, string | undefined>>;

export function resolveKubernetesConnection(config: KubernetesClusterConfig, env: Env): KubernetesConnection {
  let conn: Partial<KubernetesConnection> = {};
  let tokenFile = config.tokenFile;
  let caFile = config.caFile;
  if (config.kubeconfig) conn = readKubeconfig(config.kubeconfig, config.context);
  else if (!config.server) {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT ?? '443';
    if (!host) throw new RangeError('kubernetes: no server configured and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)');
    conn.server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    tokenFile ??= `${SERVICE_ACCOUNT_DIR}/token`;
    caFile ??= `${SERVICE_ACCOUNT_DIR}/ca.crt`;
  }
  if (config.server) conn.server = config.server;
  if (caFile) conn.ca = readText(caFile, 'CA file');
  if (config.insecureSkipTlsVerify !== undefined) conn.insecureSkipTlsVerify = config.insecureSkipTlsVerify;
  if (config.tokenEnv) {
    const token = env[config.tokenEnv];
    if (!token) throw new RangeError(`kubernetes: environment variable ${config.tokenEnv} (the API token) is not set`);
    conn.token = token.trim();
  } else if (tokenFile) conn.token = readText(tokenFile, 'token file').trim();
  if (!conn.server) throw new RangeError('kubernetes: no API server URL');
  return { ...conn, server: conn.server.replace(/\/+$/, ''), insecureSkipTlsVerify: conn.insecureSkipTlsVerify ?? false };
}

/**
 * The parts of a kubeconfig Vigil uses: the context's cluster (server, CA,
 * insecure-skip-tls-verify) and user (token, tokenFile, client certificate).
 * Relative file paths are relative to the kubeconfig, as kubectl reads them.
 */
export function readKubeconfig(path: string, contextName?: string): Partial<KubernetesConnection> {
  const doc = parseYaml(readText(path, 'kubeconfig')) as Kubeconfig | null;
  const where = `kubeconfig ${path}`;
  const name = contextName ?? doc?.['current-context'];
  if (!name) throw new RangeError(`${where}: no current-context (set one, or name a context)`);
  const context = named(doc?.contexts, name, 'context', where)?.context;
  if (!context?.cluster) throw new RangeError(`${where}: context ${name} names no cluster`);
  const cluster = named(doc?.clusters, context.cluster, 'cluster', where)?.cluster;
  if (!cluster?.server) throw new RangeError(`${where}: cluster ${context.cluster} has no server`);
  const base = dirname(resolve(path));
  const file = (p: string, what: string) => readText(resolve(base, p), `${what} named in ${where}`);
  const out: Partial<KubernetesConnection> = { server: cluster.server };
  if (cluster['certificate-authority-data']) out.ca = fromBase64(cluster['certificate-authority-data']);
  else if (cluster['certificate-authority']) out.ca = file(cluster['certificate-authority'], 'CA file');
  if (cluster['insecure-skip-tls-verify']) out.insecureSkipTlsVerify = true;
  if (context.user) {
    const user = named(doc?.users, context.user, 'user', where)?.user ?? {};
    if (user.token) out.token = user.token;
    else if (user.tokenFile) out.token = file(user.tokenFile, 'token file').trim();
    if (user['client-certificate-data']) out.cert = fromBase64(user['client-certificate-data']);
    else if (user['client-certificate']) out.cert = file(user['client-certificate'], 'client certificate');
    if (user['client-key-data']) out.key = fromBase64(user['client-key-data']);
    else if (user['client-key']) out.key = file(user['client-key'], 'client key');
    if (!out.token && !out.cert && (user.exec || user['auth-provider']))
      throw new RangeError(`${where}: user ${context.user} authenticates with an exec or auth-provider plugin, which Vigil does not run; give it a token`);
  }
  return out;
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
  clusters?: Array<{
    name?: string;
    cluster?: { server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
  }>;
  users?: Array<{
    name?: string;
    user?: {
      token?: string;
      tokenFile?: string;
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
      exec?: unknown;
      'auth-provider'?: unknown;
    };
  }>;
}

function named<T extends { name?: string }>(list: T[] | undefined, name: string, what: string, where: string): T {
  const found = Array.isArray(list) ? list.find((x) => x?.name === name) : undefined;
  if (!found) throw new RangeError(`${where}: no ${what} named ${name}`);
  return found;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new RangeError(`kubernetes: cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

function fromBase64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
