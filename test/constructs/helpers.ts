import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

/** An app that skips esbuild bundling, so NodejsFunction synthesizes fast. */
export function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** An env-agnostic stack in a fresh app. */
export function newStack(id = 'Test'): Stack {
  return new Stack(newApp(), id);
}

/**
 * A stack ('Test') for every layer of a platform but observability, which gets one of its own
 * ('Observability'); pass `placement` to the platform. The demo catalog with its sagas in a single
 * stack passes CloudFormation's 500 resources, and central logs, dashboards and service alarms are
 * what tests of the other layers read least.
 */
export function newStackWithObservabilityAside(): { stack: Stack; placement: { observability: Stack } } {
  const app = newApp();
  return { stack: new Stack(app, 'Test'), placement: { observability: new Stack(app, 'Observability') } };
}

/** The logical IDs of resources of a type, optionally matching props. */
export function logicalIds(template: Template, type: string, props?: Record<string, unknown>): string[] {
  return Object.keys(template.findResources(type, props ? { Properties: props } : undefined));
}

/** Flattens an ARN or other text (a string or an Fn::Join of strings, Refs, GetAtts and Subs) to one string. */
export function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const bareAtt = (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
  if (bareAtt) return `\${${bareAtt.join('.')}}`;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) {
    return join[1]
      .map((part) => {
        if (typeof part === 'string') return part;
        const ref = (part as { Ref?: string }).Ref;
        if (ref) return `\${${ref}}`;
        const att = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
        if (att) return `\${${att.join('.')}}`;
        // A substitution (e.g. an asset image URI) shows as its template, `${AWS::AccountId}` and all.
        const sub = (part as { 'Fn::Sub'?: string })['Fn::Sub'];
        if (typeof sub === 'string') return sub;
        return JSON.stringify(part);
      })
      .join(join[0]);
  }
  return JSON.stringify(value);
}

/** Every policy statement of every AWS::IAM::Policy attached to the role with this logical ID. */
export function statementsOfRole(template: Template, roleId: string): Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string }> {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A dashboard's body as text (each value resolved at deploy written as `TOKEN`), and those values. */
export function dashboardBodyOf(template: Template, name: string): { text: string; tokens: unknown[] } {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: name } }));
  const body = dashboard.Properties.DashboardBody;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  return { text: parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''), tokens: parts.filter((part) => typeof part !== 'string') };
}
