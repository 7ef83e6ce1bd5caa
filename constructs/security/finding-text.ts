import { Reference, Stack, Tokenization } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag writes `value` in a finding about a resource of `consumer`'s stack, so an
 * acknowledgement names exactly that finding: a literal as itself, a reference in the same stack as
 * `<LogicalId>` or `<LogicalId.Attribute>`, and a reference to another stack's resource as the name of
 * the export it is imported from (made here, as the reference itself would make it at synth).
 */
export function findingTextOf(consumer: IConstruct, value: string): string {
  const consumerStack = Stack.of(consumer);
  const reference = Tokenization.reverse(value);
  let shown = value;
  if (reference !== undefined && Reference.isReference(reference) && Stack.of(reference.target) !== consumerStack) {
    shown = Stack.of(reference.target).exportValue(value);
  }
  return flatten(consumerStack.resolve(shown));
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (value['Fn::Sub']) return flatten(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flatten(value['Fn::ImportValue']);
  if (value.Ref) return `<${flatten(value.Ref)}>`;
  return JSON.stringify(node);
}
