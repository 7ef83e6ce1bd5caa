#!/usr/bin/env node
// The CDK entry (cdk.json): `npx cdk deploy --all -c profile=dev` (or prod).
import { createPlatformApp } from './create-app';

createPlatformApp().app.synth();
