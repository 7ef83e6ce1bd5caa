// `npm run diagram`: rewrites docs/architecture.svg, the demo's architecture diagram that the README
// shows, from a fresh synth of the first profile (no gates, no bundling: neither changes what the
// diagram reads). `npm run synth` writes the same diagram to dist/architecture.svg from its own assembly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROFILES } from 'msa-platform-blueprint';
import { architectureOf, renderArchitectureSvg } from '../local/architecture';
import { catalog, sagas } from '../services';
import { createPlatformApp } from './create-app';

const root = path.resolve(__dirname, '..');

/** The copy the README shows. */
export const COMMITTED_DIAGRAM = path.join(root, 'docs', 'architecture.svg');

/** The profile the diagram is drawn from: the first, as `npm run synth` synthesizes them. */
export const DIAGRAM_PROFILE = Object.values(PROFILES)[0];

/** The demo catalog's diagram, read from an assembly synthesized from it. */
export function demoArchitectureSvg(assemblyDir: string): Promise<string> {
  return renderArchitectureSvg(architectureOf({ services: catalog, sagas, assemblyDir }));
}

/** Synthesizes the diagram's profile into a temporary directory (removed after) and draws the diagram from it. */
export async function freshDemoArchitectureSvg(): Promise<string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'architecture-'));
  try {
    createPlatformApp({ profile: DIAGRAM_PROFILE, outdir, gates: false, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
    return await demoArchitectureSvg(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  freshDemoArchitectureSvg().then(
    (svg) => {
      fs.writeFileSync(COMMITTED_DIAGRAM, svg);
      console.log(`wrote ${path.relative(root, COMMITTED_DIAGRAM)} (${svg.length} bytes, profile ${DIAGRAM_PROFILE.name})`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
