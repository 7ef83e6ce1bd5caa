// The baseline of `npm run bench`: an empty CDK app (one stack, one resource), run through the same
// CLIs as the platform (`tsx`, and `cdk synth --app`).
import { App, CfnResource, Stack } from 'aws-cdk-lib';

const app = new App();
new CfnResource(new Stack(app, 'Empty'), 'Topic', { type: 'AWS::SNS::Topic' });
app.synth();
