/**
 * The container and deployment files of a project: a multi-stage Dockerfile (production
 * dependencies only, non-root, HEALTHCHECK on /healthz), .dockerignore, and deploy/ with a
 * Kubernetes Deployment + Service + HorizontalPodAutoscaler and a compose file, all on the
 * documented environment variables. Manifests are built as data and written by the YAML library,
 * so a spec's server name only ever reaches them as a sanitised DNS label.
 */
import { stringify } from 'yaml';
import type { ServerDefinition } from '../runtime/definition.js';
import { DEFAULTS } from '../runtime/defaults.js';

export interface DeployFile {
  path: string;
  contents: string;
}

/** The port the image listens on (PORT). */
const PORT = 3000;

/** A Kubernetes object name (RFC 1123 label) from the server name. */
export function dnsLabel(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/g, '') || 'mcp-server'
  );
}

/** `seeds`: SQL seed files (their directory is written to at first start); `pages`: read-only directories the server reads (views/). */
export function deployFiles(def: ServerDefinition, header: string, seeds: readonly string[], pages: readonly string[] = []): DeployFile[] {
  const name = dnsLabel(def.server.name);
  return [
    { path: 'Dockerfile', contents: dockerfile(header, seeds, pages) },
    { path: '.dockerignore', contents: `# ${header}\nnode_modules\ndist\n.env\n.git\n*.log\ndata/*.db\ndata/*.db-journal\n` },
    // A SQLite database is created beside its seed at first start: that project writes to its files.
    { path: 'deploy/kubernetes.yaml', contents: `# ${header}\n${kubernetes(name, seeds.length === 0)}` },
    { path: 'deploy/compose.yaml', contents: `# ${header}\n${stringify(compose(name, seeds.length === 0), { lineWidth: 0, aliasDuplicateObjects: false })}` },
  ];
}

function dockerfile(header: string, seeds: readonly string[], pages: readonly string[]): string {
  // Seed files (SQL) are read at start-up, beside the definition.
  const copySeeds = [...new Set(seeds.map((seed) => seed.split('/')[0]!))].sort().map((dir) => `COPY --chown=node:node ${dir} ./${dir}`);
  return [
    `# ${header}`,
    '# Build: docker build -t <name> .   Run: docker run -p 3000:3000 --env-file .env <name>',
    '# Commit package-lock.json (npm install writes it) so both stages install the same versions.',
    '',
    'FROM node:20-slim AS build',
    'WORKDIR /app',
    'COPY package*.json ./',
    'RUN if [ -f package-lock.json ]; then npm ci; else npm install; fi',
    // The build ends by starting the server once to write V8's code cache, so it needs the definition.
    'COPY tsconfig.json rolldown.config.mjs server-definition.json ./',
    'COPY src ./src',
    'RUN npm run build',
    '',
    'FROM node:20-slim',
    'ENV NODE_ENV=production',
    `# Streamable HTTP on all interfaces of the container. Requests must name an allowed Host:`,
    `# set MCP_ALLOWED_HOSTS to the name clients use (e.g. mcp.example.com, or the Service name).`,
    `ENV MCP_TRANSPORT=http HOST=0.0.0.0 PORT=${PORT}`,
    'WORKDIR /app',
    'COPY package*.json ./',
    'RUN if [ -f package-lock.json ]; then npm ci --omit=dev; else npm install --omit=dev; fi && npm cache clean --force',
    'COPY --from=build /app/dist ./dist',
    'COPY server-definition.json ./',
    ...copySeeds,
    ...pages.map((dir) => `COPY ${dir} ./${dir}`),
    'USER node',
    `EXPOSE ${PORT}`,
    `HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||${PORT})+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
    '# SIGTERM drains: /readyz answers 503, calls in flight get MCP_SHUTDOWN_GRACE_MS to finish.',
    'CMD ["node", "dist/index.js"]',
    '',
  ].join('\n');
}

function kubernetes(name: string, readOnly: boolean): string {
  const labels = { 'app.kubernetes.io/name': name };
  // preStop waits while the endpoints controller and the balancers stop sending to the pod; the
  // drain (SIGTERM) follows.
  const preStopSeconds = 5;
  const graceSeconds = preStopSeconds + Math.ceil(DEFAULTS.shutdownGraceMs / 1000) + 5;
  const probe = (path: string, period: number) => ({ httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 2 });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // preStop plus MCP_SHUTDOWN_GRACE_MS, with room: the drain ends before the kubelet's SIGKILL.
          terminationGracePeriodSeconds: graceSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          containers: [
            {
              name,
              image: `${name}:latest`,
              ports: [{ name: 'http', containerPort: PORT }],
              env: [
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'MCP_TRANSPORT', value: 'http' },
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'PORT', value: String(PORT) },
                // The Host names clients use: the Service (and any ingress host) names.
                { name: 'MCP_ALLOWED_HOSTS', value: `${name},${name}.$(POD_NAMESPACE),${name}.$(POD_NAMESPACE).svc,${name}.$(POD_NAMESPACE).svc.cluster.local` },
                { name: 'MCP_SHUTDOWN_GRACE_MS', value: String(DEFAULTS.shutdownGraceMs) },
              ],
              // API credentials and MCP_AUTH_* settings (see .env.example), e.g.
              // kubectl create secret generic <name>-env --from-env-file=.env
              envFrom: [{ secretRef: { name: `${name}-env`, optional: true } }],
              // Kubernetes stops routing to a terminating pod a few seconds after it starts: the
              // server keeps serving meanwhile, and SIGTERM (its drain) comes after.
              lifecycle: { preStop: { exec: { command: ['sleep', String(preStopSeconds)] } } },
              readinessProbe: probe('/readyz', 5),
              livenessProbe: probe('/healthz', 10),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: readOnly },
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
  const autoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  };
  return [deployment, service, autoscaler].map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

function compose(name: string, readOnly: boolean): object {
  return {
    services: {
      [name]: {
        build: { context: '..' },
        image: `${name}:latest`,
        ports: [`${PORT}:${PORT}`],
        // API credentials and MCP_* settings (see .env.example).
        env_file: [{ path: '../.env', required: false }],
        environment: { MCP_TRANSPORT: 'http', HOST: '0.0.0.0', PORT: String(PORT) },
        stop_grace_period: `${Math.ceil(DEFAULTS.shutdownGraceMs / 1000) + 5}s`,
        read_only: readOnly,
        restart: 'unless-stopped',
      },
    },
  };
}
