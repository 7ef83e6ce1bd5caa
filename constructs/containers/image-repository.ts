import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';

/** Props of a ServiceImageRepository. */
export interface ServiceImageRepositoryProps {
  /** Repository name, e.g. `shop/dev/catalog`. */
  readonly repositoryName: string;
  /** Key the images are encrypted with. */
  readonly encryptionKey: kms.IKey;
  /**
   * Release images (tagged) to keep; older ones expire.
   * @default 30
   */
  readonly keepImages?: number;
  /**
   * Keep the repository and its images when the stack is deleted.
   * @default false
   */
  readonly retain?: boolean;
}

/**
 * The image repository of one container service, for the delivery pipeline to push to: images
 * scanned on push, tags immutable (a tag names one image forever), encrypted with a customer key,
 * untagged layers expired after a week and only the newest releases kept.
 */
export class ServiceImageRepository extends Construct {
  /** The repository. */
  public readonly repository: ecr.Repository;
  /** Its name, as a literal (for pipelines in other stacks that push to it by name). */
  public readonly repositoryName: string;

  constructor(scope: Construct, id: string, props: ServiceImageRepositoryProps) {
    super(scope, id);
    const keep = props.keepImages ?? 30;
    if (!Number.isInteger(keep) || keep < 1 || keep > 1000) {
      throw ConstructPropError.of(this, 'keepImages', `is ${keep}; expected a whole number from 1 to 1000`);
    }
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(props.repositoryName)) {
      throw ConstructPropError.of(this, 'repositoryName', `'${props.repositoryName}' is not a valid ECR repository name`);
    }
    this.repositoryName = props.repositoryName;
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      emptyOnDelete: false,
      lifecycleRules: [
        { rulePriority: 1, description: 'Expire untagged layers after a week', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) },
        { rulePriority: 2, description: `Keep the newest ${keep} images`, tagStatus: ecr.TagStatus.ANY, maxImageCount: keep },
      ],
    });
  }
}
