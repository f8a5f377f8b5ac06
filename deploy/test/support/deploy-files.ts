/**
 * Reads the deploy files the way their tools would (Compose with its merge keys and `${VAR:-default}`
 * interpolation, Kustomize's resource list, the Dockerfile's stages) and the names the server and
 * dashboard code read from the environment, so the checks compare the files with the code itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const deployDir = fileURLToPath(new URL('../..', import.meta.url));
export const repoRoot = path.resolve(deployDir, '..');
export const k8sDir = path.join(deployDir, 'k8s');

// ---------------------------------------------------------------- Kubernetes

export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
};
export type EnvFrom = { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } };
export type Probe = { httpGet?: { path: string; port: string | number } };
export type Container = {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
export type PodSpec = {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string }>;
};
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // The shapes below are read per kind by the checks.
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};
export type Deployment = K8sObject & {
  kind: 'Deployment';
  spec: {
    replicas?: number;
    strategy?: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};
export type Job = K8sObject & { kind: 'Job'; spec: { template: { spec: PodSpec } } };
export type Service = K8sObject & {
  kind: 'Service';
  spec: { selector: Record<string, string>; ports: Array<{ name?: string; port: number; targetPort: string | number }> };
};

export function readYamlFile(file: string): unknown {
  return parse(readFileSync(file, 'utf8'), { merge: true });
}

export function kustomization(): { namespace?: string; resources: string[]; images?: Array<{ name: string; newTag?: string }> } {
  return readYamlFile(path.join(k8sDir, 'kustomization.yaml')) as ReturnType<typeof kustomization>;
}

/** Every object `kubectl apply -k deploy/k8s` would send, in resource order, with its file. */
export function k8sObjects(): Array<K8sObject & { file: string }> {
  return kustomization().resources.flatMap((resource) => {
    const file = path.join(k8sDir, resource);
    return parseAllDocuments(readFileSync(file, 'utf8'))
      .map((document) => document.toJS() as K8sObject | null)
      .filter((object): object is K8sObject => object !== null)
      .map((object) => ({ ...object, file: resource }));
  });
}

export function k8sObject<T extends K8sObject = K8sObject>(kind: string, name: string): T {
  const found = k8sObjects().find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found as unknown as T;
}

export function deployments(): Deployment[] {
  return k8sObjects().filter((object): object is Deployment & { file: string } => object.kind === 'Deployment');
}

/**
 * A container's environment as Kubernetes would give it: ConfigMap and Secret keys from
 * `envFrom` (an optional Secret that the files do not create contributes nothing), then `env`,
 * with values looked up in the ConfigMaps and Secrets of deploy/k8s.
 */
export function k8sContainerEnv(container: Container): Record<string, string> {
  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string, optional = false): Record<string, string> => {
    const object = k8sObjects().find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
    if (!object) {
      if (optional) return {};
      throw new Error(`${container.name} reads ${kind} ${name}, which deploy/k8s does not define`);
    }
    return { ...object.data, ...object.stringData };
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, dataOf('ConfigMap', source.configMapRef.name, source.configMapRef.optional));
    if (source.secretRef) Object.assign(env, dataOf('Secret', source.secretRef.name, source.secretRef.optional));
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const configMap = variable.valueFrom?.configMapKeyRef;
    const value = secret
      ? dataOf('Secret', secret.name)[secret.key]
      : configMap
        ? dataOf('ConfigMap', configMap.name)[configMap.key]
        : variable.value;
    if (value === undefined) throw new Error(`${container.name}: ${variable.name} refers to a key that does not exist`);
    env[variable.name] = value;
  }
  return env;
}

// ---------------------------------------------------------------- Compose

export type ComposeService = {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  secrets?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
};
export type ComposeFile = {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};

export function composeFile(): ComposeFile {
  return readYamlFile(path.join(deployDir, 'compose.yaml')) as ComposeFile;
}

/** Compose's `${NAME:-default}` with nothing set in the shell: the default. */
export function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_match, _name: string, fallback: string | undefined) => fallback ?? '');
}

/**
 * A service's environment as its container sees it after the image's entry point: interpolated,
 * and each `NAME_FILE` naming a Compose secret replaced by NAME with that secret's content
 * (read from `secretsDir`, where make-secrets wrote them).
 */
export function composeServiceEnv(service: ComposeService, secretsDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(service.environment ?? {})) {
    const value = interpolate(String(raw));
    const secret = /^\/run\/secrets\/([a-z0-9_]+)$/.exec(value)?.[1];
    if (name.endsWith('_FILE') && secret) env[name.slice(0, -'_FILE'.length)] = readFileSync(path.join(secretsDir, secret), 'utf8').trim();
    else env[name] = value;
  }
  return env;
}

// ---------------------------------------------------------------- Dockerfile

export type DockerInstruction = { op: string; args: string };
export type DockerStage = { name: string; from: string; instructions: DockerInstruction[] };

export function dockerStages(file = path.join(deployDir, 'Dockerfile')): DockerStage[] {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, from = '', name = ''] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ name, from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** A stage with what it inherits from the stages it is built `FROM`, outermost first. */
export function dockerStageChain(stages: DockerStage[], name: string): DockerStage[] {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage ${name} in deploy/Dockerfile`);
  const parent = stages.find((candidate) => candidate.name === stage.from);
  return parent ? [...dockerStageChain(stages, parent.name), stage] : [stage];
}

export function lastInstruction(chain: DockerStage[], op: string): string | undefined {
  return chain.flatMap((stage) => stage.instructions).filter((instruction) => instruction.op === op).at(-1)?.args;
}

/** `ENV A=1 B=2` instructions of a stage chain, merged. */
export function dockerEnv(chain: DockerStage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of chain.flatMap((stage) => stage.instructions)) {
    if (instruction.op !== 'ENV') continue;
    for (const match of instruction.args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[match[1] as string] = (match[2] as string).replace(/^"|"$/g, '');
    }
  }
  return env;
}

export function dockerExecForm(args: string): string[] {
  return JSON.parse(args) as string[];
}

// ---------------------------------------------------------------- what the code reads

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.spec\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function namesReadIn(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // env['X'], env.X, process.env.X, and the channel settings' read('X').
    for (const match of text.matchAll(/\benv(?:\[\s*'([A-Z][A-Z0-9_]*)'\s*\]|\.([A-Z][A-Z0-9_]*))|\bread\(\s*'([A-Z][A-Z0-9_]*)'\s*\)/g)) {
      names.add((match[1] ?? match[2] ?? match[3]) as string);
    }
  }
  return names;
}

/**
 * Every environment variable the server process reads: the keys of its settings schema and every
 * other `env` read under services/server/src (the CLI, a separate program, left out).
 */
export function serverEnvironmentNames(): Set<string> {
  const src = path.join(repoRoot, 'services/server/src');
  const names = namesReadIn(sourceFiles(src).filter((file) => !file.startsWith(path.join(src, 'cli') + path.sep)));
  const schema = readFileSync(path.join(src, 'config/server-config.ts'), 'utf8');
  for (const match of schema.matchAll(/^ {2}([A-Z][A-Z0-9_]*): z\b/gm)) names.add(match[1] as string);
  return names;
}

/** Every variable the dashboard reads at run time, with the two Next's standalone server.js reads. */
export function dashboardEnvironmentNames(): Set<string> {
  const names = namesReadIn(sourceFiles(path.join(repoRoot, 'dashboard/src')));
  for (const name of ['PORT', 'HOSTNAME']) names.add(name);
  return names;
}

export function packageVersion(workspace: string): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, workspace, 'package.json'), 'utf8')) as { version: string }).version;
}
