/**
 * The container and deployment files every project gets (src/emit/deploy.ts): the Kubernetes
 * objects pass the Kubernetes OpenAPI schemas (kubernetes-models validates with them), probes and
 * ports line up with what the server serves, the compose file and Dockerfile carry what the
 * README promises, and a hostile server name only reaches them as a DNS label.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { deployFiles, dnsLabel } from '../../src/emit/deploy.js';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { DEFAULTS } from '../../src/runtime/defaults.js';
import { HEALTH_PATH, READY_PATH } from '../../src/runtime/transport/serve.js';
import { REPO } from '../helpers/project.js';

const definition = (name: string): ServerDefinition => ({ formatVersion: 1, server: { name, version: '1.0.0', envPrefix: 'X' }, baseUrls: [], auth: [], tools: [] });
const file = (files: Array<{ path: string; contents: string }>, p: string) => files.find((f) => f.path === p)!.contents;

describe('deployment files', () => {
  it.each(['petstore', 'database', 'weather'])('generated/%s: the Kubernetes objects are valid and probe what the server serves', (example) => {
    const docs = parseAllDocuments(readFileSync(path.join(REPO, 'generated', example, 'deploy', 'kubernetes.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
    const [deployment, service, hpa] = [new Deployment(docs[0] as never), new Service(docs[1] as never), new HorizontalPodAutoscaler(docs[2] as never)];
    for (const object of [deployment, service, hpa]) expect(() => object.validate()).not.toThrow();
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(container.readinessProbe?.httpGet?.path).toBe(READY_PATH);
    expect(container.livenessProbe?.httpGet?.path).toBe(HEALTH_PATH);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ MCP_TRANSPORT: 'http', HOST: '0.0.0.0', PORT: '3000', MCP_SHUTDOWN_GRACE_MS: String(DEFAULTS.shutdownGraceMs) });
    // The kubelet's SIGKILL comes after the drain has had its grace period.
    expect(deployment.spec!.template.spec!.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(DEFAULTS.shutdownGraceMs);
    expect(deployment.spec!.template.spec!.securityContext?.runAsNonRoot).toBe(true);
    // Served under the Service's names in whatever namespace it runs; a preStop pause before the drain.
    expect(env.MCP_ALLOWED_HOSTS).toContain('.$(POD_NAMESPACE).svc.cluster.local');
    expect(container.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '5']);
    expect(service.spec!.selector).toEqual(deployment.spec!.selector.matchLabels);
    expect(hpa.spec!.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata!.name });
    // Only the database writes (its SQLite file, created from the seed at first start).
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(example !== 'database');
  });

  it('the compose file builds the project and runs it over HTTP with the .env file', () => {
    const compose = parse(readFileSync(path.join(REPO, 'generated', 'petstore', 'deploy', 'compose.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
    const service = compose.services.petstore!;
    expect(service).toMatchObject({ build: { context: '..' }, ports: ['3000:3000'], env_file: [{ path: '../.env', required: false }] });
    expect(service.environment).toMatchObject({ MCP_TRANSPORT: 'http', HOST: '0.0.0.0' });
  });

  it('the Dockerfile installs production dependencies only, runs as node and checks /healthz; seeds are copied', () => {
    const docker = readFileSync(path.join(REPO, 'generated', 'database', 'Dockerfile'), 'utf8');
    expect(docker).toMatch(/^FROM node:20-slim AS build$/m);
    expect(docker).toContain('npm ci --omit=dev');
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(docker).toContain('COPY --chown=node:node data ./data');
    expect(readFileSync(path.join(REPO, 'generated', 'database', '.dockerignore'), 'utf8')).toContain('\nnode_modules\n');
  });

  it('turns any server name into a DNS label: nothing else of it reaches the manifests', () => {
    expect(dnsLabel('Pet Store_API v2')).toBe('pet-store-api-v2');
    expect(dnsLabel('---')).toBe('mcp-server');
    expect(dnsLabel('a'.repeat(80))).toHaveLength(63);
    const files = deployFiles(definition('x"\n  evil: {$(rm -rf /)}'), 'h', []);
    const k8s = file(files, 'deploy/kubernetes.yaml');
    expect(parseAllDocuments(k8s).map((d) => (d.toJS() as { metadata: { name: string } }).metadata.name)).toEqual(Array(3).fill('x-evil-rm--rf'));
    expect(k8s).not.toMatch(/evil:|\$\(rm/);
    expect(file(files, 'Dockerfile')).not.toContain('evil');
    // Repeated objects are written out, not as YAML aliases (&a1 / *a1) a reader must resolve.
    expect(k8s).not.toMatch(/[&*]a\d/);
  });
});
