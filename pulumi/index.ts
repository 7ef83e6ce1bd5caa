// The Pulumi program (Pulumi.yaml): deploys the kubernetes services' charts to the cluster named by stack config.
//   pulumi config set kubeconfig ~/.kube/config   (contents or path; required)
//   pulumi config set namespace shop              (default: the platform name)
//   pulumi config set imageRegistry 123456789012.dkr.ecr.eu-west-1.amazonaws.com   (for images the specs do not pin)
//   pulumi config set context my-cluster          (default: the kubeconfig's current context)
import * as pulumi from '@pulumi/pulumi';
import { catalog } from '../services';
import { PLATFORM_NAME } from '../stacks/environments';
import { ServiceCharts } from 'msa-platform-blueprint/pulumi';

const config = new pulumi.Config();

const charts = new ServiceCharts(PLATFORM_NAME, {
  services: catalog,
  platformName: PLATFORM_NAME,
  namespace: config.get('namespace') ?? PLATFORM_NAME,
  imageRegistry: config.get('imageRegistry'),
  kubeconfig: config.requireSecret('kubeconfig'),
  context: config.get('context'),
});

/** The namespace the services run in. */
export const namespace = charts.namespace.metadata.name;
/** The services deployed. */
export const services = Object.keys(charts.groups);
