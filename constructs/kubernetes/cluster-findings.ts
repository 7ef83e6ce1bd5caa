import { CfnCondition, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/** Memory of the custom-resource framework function, which only relays events to the kubectl handler. */
const FRAMEWORK_MEMORY_MIB = 256;

const MANAGED_LAMBDA_POLICIES =
  'The role is made inside aws-eks-v2\'s KubectlProvider, which offers no prop for the Lambda execution role; AWS maintains the attached managed policies (basic logging, VPC network interfaces';

/**
 * What aws-eks-v2 makes around the cluster that the validation gates flag: fixed here where an
 * escape hatch can, acknowledged (each with its reason) where the construct leaves no choice.
 * Kept beside KubernetesPlatform, which is its only caller.
 */
export function resolveClusterFindings(cluster: eks.Cluster, vpc: ec2.IVpc): void {
  const clusterRole = cluster.node.findChild('Role');
  for (const policy of ['AmazonEKSClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy']) {
    acknowledge(clusterRole, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
      `EKS Auto Mode requires the cluster role to carry ${policy}; AWS updates it as Auto Mode's compute, storage, load balancing and networking features change, which a copy written out here would miss.`);
  }
  acknowledge(cluster.node.findChild('Resource'), 'CloudFormation-Validate::W9009',
    'aws-eks-v2 writes EncryptionConfig.Resources = ["secrets"], the one resource type EKS envelope-encrypts with the given key; the property is marked deprecated in the schema but is what selects the key for Kubernetes secrets.');

  const provider = cluster.node.tryFindChild('KubectlProvider');
  if (provider === undefined) return;
  const handler = provider.node.findChild('Handler') as lambda.Function;
  const framework = provider.node.findChild('Provider').node.findChild('framework-onEvent') as lambda.Function;
  (framework.node.defaultChild as lambda.CfnFunction).memorySize = FRAMEWORK_MEMORY_MIB;

  const importedSubnets = Stack.of(vpc) !== Stack.of(cluster);
  for (const fn of [handler, framework]) {
    if (importedSubnets) {
      acknowledge(fn, 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        'The function runs in the platform VPC\'s private subnets (the cluster endpoint is private), whose IDs are imported from the network stack (Fn::ImportValue); the guard rule accepts only literal subnet IDs or subnets in the same template, so it cannot see them.');
    }
    acknowledge(fn, 'Serverless-LambdaDLQ',
      'CloudFormation invokes this custom-resource function synchronously through the provider framework and reports a failure as a failed deployment; a dead-letter queue only catches asynchronous invocations.');
    acknowledge(fn, 'Serverless-LambdaTracing',
      'A deploy-time custom-resource function (kubectl apply during cdk deploy), never on a request path, so there is no trace to join; its output goes to its CloudWatch log group.');
    for (const policy of ['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole']) {
      acknowledge(fn.role!, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`, `${MANAGED_LAMBDA_POLICIES}).`);
    }
  }
  acknowledge(handler.role!, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]',
    `${MANAGED_LAMBDA_POLICIES}, and read-only ECR access so Helm can pull charts from OCI registries).`);
  acknowledge(handler.role!,
    `AwsSolutions-IAM4[Policy::{"Fn::If":["${Stack.of(handler).getLogicalId(handler.node.findChild('HasEcrPublic') as CfnCondition)}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]`,
    `${MANAGED_LAMBDA_POLICIES}, and public ECR read-only access in the partitions that have ECR Public, for Helm charts there).`);
  for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
    acknowledge(handler, id,
      'aws-cdk-lib pins the kubectl handler\'s Python runtime to the version its handler code and the kubectl and AWS CLI layers are built and tested for; a newer runtime is taken by upgrading aws-cdk-lib, not set here.');
  }
  const frameworkPolicy = framework.role!.node.findChild('DefaultPolicy');
  acknowledge(frameworkPolicy, `AwsSolutions-IAM5[Resource::<${Stack.of(handler).getLogicalId(handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
    'The provider framework may invoke only the kubectl handler; the :* suffix covers that one function\'s versions and aliases, nothing else.');
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
