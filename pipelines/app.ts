#!/usr/bin/env node
// The pipeline's CDK entry: npx cdk deploy -a "npx tsx pipelines/app.ts" shop-pipeline -c pipeline:repository=owner/name -c pipeline:connectionArn=...
import { createPipelineApp } from './create-pipeline-app';

createPipelineApp().app.synth();
