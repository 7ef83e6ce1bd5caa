import type { Node } from 'constructs';

/** Where the pipeline takes its source from. */
export interface PipelineSource {
  /** `owner/name` of the repository (GitHub, GitHub Enterprise, Bitbucket or GitLab). */
  readonly repository: string;
  /** The branch whose commits are deployed. */
  readonly branch: string;
  /** ARN of the CodeConnections (formerly CodeStar Connections) connection to the repository's host. */
  readonly connectionArn: string;
}

/** The context keys the pipeline app reads (`-c key=value` or `cdk.json`). */
export const PIPELINE_CONTEXT = {
  repository: 'pipeline:repository',
  branch: 'pipeline:branch',
  connectionArn: 'pipeline:connectionArn',
  /** Immutable tag of the container images; the pipeline's synth sets it to the commit ID. */
  imageTag: 'pipeline:imageTag',
} as const;

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.\/-]+$/;
const BRANCH = /^[^\s~^:?*[\\]+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The pipeline's settings are missing or wrong; the message names every context key at fault. */
export class PipelineSettingsError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`The delivery pipeline cannot be made:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
      `Give them as context, e.g. npx cdk synth -a "npx tsx pipelines/app.ts" -c ${PIPELINE_CONTEXT.repository}=owner/name -c ${PIPELINE_CONTEXT.branch}=main -c ${PIPELINE_CONTEXT.connectionArn}=arn:aws:codeconnections:...`);
    this.name = 'PipelineSettingsError';
  }
}

/** Reads the pipeline's source from context; throws one PipelineSettingsError naming every missing or malformed key. */
export function pipelineSourceFromContext(node: Node): PipelineSource {
  const problems: string[] = [];
  const read = (key: string, pattern: RegExp, expected: string, fallback?: string): string => {
    const value: unknown = node.tryGetContext(key) ?? fallback;
    if (value === undefined || value === '') {
      problems.push(`context '${key}' is missing; expected ${expected}`);
      return '';
    }
    if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(`context '${key}' is '${String(value)}'; expected ${expected}`);
      return '';
    }
    return value;
  };
  const source: PipelineSource = {
    repository: read(PIPELINE_CONTEXT.repository, REPOSITORY, 'the repository as owner/name'),
    branch: read(PIPELINE_CONTEXT.branch, BRANCH, 'a branch name', 'main'),
    connectionArn: read(PIPELINE_CONTEXT.connectionArn, CONNECTION_ARN, 'the ARN of a CodeConnections connection (arn:aws:codeconnections:<region>:<account>:connection/<id>)'),
  };
  if (problems.length > 0) throw new PipelineSettingsError(problems);
  return source;
}

/** The image tag from context, when the pipeline's synth gives one; a malformed tag throws. */
export function imageTagFromContext(node: Node): string | undefined {
  const value: unknown = node.tryGetContext(PIPELINE_CONTEXT.imageTag);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !IMAGE_TAG.test(value)) {
    throw new PipelineSettingsError([`context '${PIPELINE_CONTEXT.imageTag}' is '${String(value)}'; expected an image tag (letters, digits, '_', '.', '-'; at most 128)`]);
  }
  return value;
}
