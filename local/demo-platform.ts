/**
 * The demo shop on the local platform: the catalog and sagas of services/, the dev profile's
 * assembly (synthesized without gates or bundling, and kept until the specs, constructs or stacks
 * change), and the demo data.
 */
import * as path from 'node:path';
import { catalog, sagas } from '../services';
import type * as CreateApp from '../stacks/create-app';
import type * as Environments from '../stacks/environments';
import { seedDemoData } from './demo-data';
import { type LocalPlatform, type LocalPlatformOptions, startLocalPlatform } from './local-platform';

const ROOT = path.resolve(__dirname, '..');

/** Starts the demo; `options` overrides the defaults (a test may shorten timeouts or skip the data). */
export function startDemoPlatform(options: Partial<Omit<LocalPlatformOptions, 'services' | 'sagas' | 'assembly'>> = {}): Promise<LocalPlatform> {
  return startLocalPlatform({
    services: catalog,
    sagas,
    projectRoot: ROOT,
    seed: seedDemoData,
    ...options,
    assembly: {
      inputs: { profile: 'dev', catalog, sagas },
      sourceDirectories: [path.join(ROOT, 'constructs'), path.join(ROOT, 'stacks')],
      synthesize: (outdir) => {
        // Loaded only to synthesize: the CDK takes seconds to load, and a kept assembly needs none of it.
        const { createPlatformApp } = require('../stacks/create-app') as typeof CreateApp;
        const { profileNamed } = require('../stacks/environments') as typeof Environments;
        // Gates are what `npm run synth` is for; here the assembly is only read. Docker images and Lambda bundles are not built.
        createPlatformApp({ profile: profileNamed('dev'), gates: false, outdir, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
      },
    },
  });
}
