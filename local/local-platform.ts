/**
 * The platform on one machine: everything the synthesized assembly describes, run on 127.0.0.1
 * without an AWS account, credentials or Docker. The services' own code runs unchanged; its SDK
 * clients reach local stand-ins through the endpoint variables the SDK honours
 * (`AWS_ENDPOINT_URL_<SERVICE>`), with dummy credentials.
 *
 * Start-up: read the assembly; start the stand-ins (DynamoDB with streams, Parameter Store seeded
 * with the synthesized parameters, AppConfig with the flag documents, Cloud Map, SQS with every
 * queue and its redrive policy, the Lambda API, the event bus with every rule); start every Lambda
 * function in a worker and every container service as its own process; register each service in the
 * registry as its construct does, with its local address; start the event source mappings, the
 * sagas' state machines and the edge. `stop` ends it all, every child process included.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import * as esbuild from 'esbuild';
import type { SagaSpec } from '../constructs/model/saga-spec';
import type { ServiceSpec } from '../constructs/model/service-spec';
import { arn, LOCAL_ACCOUNT, LOCAL_REGION } from './assembly/cloud-assembly';
import { type AssemblySource, cachedAssembly } from './assembly/cached-assembly';
import { type LocalPlatformModel, readPlatformModel } from './assembly/platform-model';
import { startAppConfigDataServer } from './aws/appconfig-data-server';
import { TEST_CREDENTIALS } from './aws/aws-test-settings';
import { startCloudMapServer } from './aws/cloud-map-server';
import { startLocalEventBus, type LocalEventBus } from './aws/event-bus';
import { startLambdaApi } from './aws/lambda-api';
import type { LoopbackServer } from './aws/loopback-server';
import { startParameterStoreServer } from './aws/parameter-store-server';
import { startQueueServer, type QueueServer } from './aws/queue-server';
import { LocalStateMachines } from './aws/state-machines';
import { startStreamingDynamoDb, type StreamingDynamoDb, type StreamRecord } from './aws/streaming-dynamodb';
import { LocalEdge } from './edge/local-edge';
import { LocalIssuer } from './edge/local-issuer';
import { localCacheDirectory } from './runner/bundle';
import { QueuePoller, StreamPoller } from './runner/event-source-mappings';
import { LocalContainers } from './runner/local-containers';
import { LocalFunctions } from './runner/local-functions';
import { LogTail } from './runner/log-tail';

/** Options of {@link startLocalPlatform}. */
export interface LocalPlatformOptions {
  /** The catalog. */
  readonly services: readonly ServiceSpec[];
  /** The sagas. @default - none */
  readonly sagas?: readonly SagaSpec[];
  /** Where the assembly comes from: a synthesized directory, or how to synthesize one (kept between runs). */
  readonly assembly: { readonly directory: string } | AssemblySource;
  /** The project root: bundles and the kept assembly go below its node_modules/.cache. */
  readonly projectRoot: string;
  /**
   * Multiplies the queues' visibility timeouts and the state machines' retry intervals; 1 runs them
   * as synthesized. Tests shorten them to see a redelivery in seconds.
   * @default 1
   */
  readonly timeScale?: number;
  /** The edge's port. @default - a free one */
  readonly edgePort?: number;
  /** Called once everything runs, e.g. to load demo data. @default - nothing */
  readonly seed?: (platform: LocalPlatform) => Promise<void>;
}

/** A running local platform. */
export interface LocalPlatform {
  readonly model: LocalPlatformModel;
  /** The sagas it runs. */
  readonly sagas: readonly SagaSpec[];
  readonly edge: LocalEdge;
  readonly issuer: LocalIssuer;
  readonly functions: LocalFunctions;
  readonly containers: LocalContainers;
  readonly dynamodb: StreamingDynamoDb;
  readonly queues: QueueServer;
  readonly bus: LocalEventBus;
  readonly stateMachines: LocalStateMachines;
  readonly logs: LogTail;
  /** The environment every service process gets besides its own: region, dummy credentials and the stand-ins' endpoints. */
  readonly environment: Readonly<Record<string, string>>;
  /** The local URL of each queue, by name. */
  readonly queueUrls: ReadonlyMap<string, string>;
  /** Stream records not yet handed to their function, by table. */
  pendingStreamRecords(): Record<string, number>;
  /** The assembly directory it was read from (for the architecture diagram, or a look at the templates). */
  readonly assemblyDirectory: string;
  /** Whether the assembly was synthesized for this start (false: a kept one was used). */
  readonly freshAssembly: boolean;
  /** Stops everything; resolves once every child process has exited. */
  stop(): Promise<void>;
}

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const { directory: assemblyDir, fresh } = 'directory' in options.assembly
    ? { directory: options.assembly.directory, fresh: false }
    : await cachedAssembly(options.assembly, localCacheDirectory(options.projectRoot));
  const model = readPlatformModel(assemblyDir, options.services);
  const timeScale = options.timeScale ?? 1;
  const logs = new LogTail();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };

  try {
    let functions: LocalFunctions | undefined;
    let stateMachines: LocalStateMachines | undefined;
    const streamPollers = new Map<string, StreamPoller>();
    const queueUrls = new Map<string, string>();

    const onStreamRecord = (tableName: string, record: StreamRecord) => streamPollers.get(tableName)?.push(record);
    const [dynamodb, parameters, flags, registry, queues] = await Promise.all([
      startStreamingDynamoDb({ region: LOCAL_REGION, onRecord: onStreamRecord }),
      startParameterStoreServer(model.parameters),
      startAppConfigDataServer(model.flagProfiles as Record<string, unknown>),
      startCloudMapServer(),
      startQueueServer(),
    ]);
    stops.push(dynamodb.stop, parameters.stop, flags.stop, registry.stop, queues.stop);
    await dynamodb.createTables(model.tables);

    // Dead-letter queues first: a queue's redrive policy names its dead-letter queue's URL.
    for (const queue of [...model.queues].sort((a, b) => Number(a.deadLetter !== undefined) - Number(b.deadLetter !== undefined))) {
      const deadLetter = queue.deadLetter === undefined ? undefined : { queueUrl: queueUrls.get(queue.deadLetter.queueName)!, maxReceiveCount: queue.deadLetter.maxReceiveCount };
      queueUrls.set(queue.name, queues.createQueue(queue.name, { visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds * timeScale, ...(deadLetter === undefined ? {} : { deadLetter }) }));
    }

    const invoke = (functionName: string, event: unknown, kind = 'invoke') =>
      functions === undefined ? Promise.resolve({ error: { errorType: 'ServiceException', errorMessage: 'the functions are not started yet' } }) : functions.invoke(functionName, event, kind);
    const lambdaApi: LoopbackServer = await startLambdaApi((name, event) => invoke(name, event, 'invoke'), (name) => functions?.has(name) ?? false);
    stops.push(lambdaApi.stop);

    const bus = await startLocalEventBus({
      rules: model.rules,
      region: LOCAL_REGION,
      account: LOCAL_ACCOUNT,
      targets: {
        sendToQueue: (queueName, body) => {
          const url = queueUrls.get(queueName);
          if (url !== undefined) queues.send(url, body);
        },
        startExecution: (name, input) => stateMachines?.start(name, input),
      },
    });
    stops.push(bus.stop);

    const environment: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SSM: parameters.endpoint,
      AWS_ENDPOINT_URL_APPCONFIGDATA: flags.endpoint,
      AWS_ENDPOINT_URL_SERVICEDISCOVERY: registry.endpoint,
      AWS_ENDPOINT_URL_SQS: queues.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambdaApi.endpoint,
    };
    // A queue is pointed at by its URL: the assembly knows its name, the local queue server its URL.
    const pointedAtQueues = (variables: Record<string, string>) =>
      Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, queueUrls.get(value) ?? value]));

    const bundleDirectory = localCacheDirectory(options.projectRoot, 'bundles');
    const [startedFunctions, containers] = await Promise.all([
      LocalFunctions.start({ functions: model.functions.map((fn) => ({ ...fn, environment: pointedAtQueues(fn.environment) })), environment, bundleDirectory, logs }),
      LocalContainers.start({ containers: model.containers.map((container) => ({ ...container, environment: pointedAtQueues(container.environment) })), environment, bundleDirectory, logs }),
    ]);
    functions = startedFunctions;
    stops.push(() => startedFunctions.stop(), () => containers.stop());
    // Everything is bundled: esbuild's service process is not needed any more.
    await esbuild.stop();

    for (const [service, attributes] of Object.entries(model.registry)) {
      const url = containers.urlOf(service);
      const local = url === undefined ? attributes : { ...attributes, url, ...(attributes.clusterUrl === undefined ? {} : { clusterUrl: url }) };
      for (const namespace of model.namespaces) registry.register(namespace, service, { instanceId: `${service}-local`, attributes: local, healthy: true });
    }

    stateMachines = new LocalStateMachines({ stateMachines: model.stateMachines, invoke: (name, payload) => invoke(name, payload, 'saga'), timeScale });
    stops.push(() => stateMachines!.stop());

    const sqs = new SQSClient({ endpoint: queues.endpoint, region: LOCAL_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const queuePollers: QueuePoller[] = [];
    for (const mapping of model.eventSourceMappings) {
      if (mapping.source.kind === 'queue') {
        const queueUrl = queueUrls.get(mapping.source.queueName);
        if (queueUrl === undefined) throw new Error(`the event source mapping of ${mapping.functionName} reads the queue ${mapping.source.queueName}, which the assembly does not define`);
        queuePollers.push(new QueuePoller({ mapping, queueUrl, queueArn: arn('sqs', mapping.source.queueName), region: LOCAL_REGION, sqs, invoke }));
      } else {
        const tableName = mapping.source.tableName;
        streamPollers.set(
          tableName,
          new StreamPoller({
            mapping,
            invoke,
            retryDelayMs: 1000 * timeScale,
            maxRetries: 5,
            onDiscard: (records, reason) => logs.add(mapping.functionName, 'stderr', JSON.stringify({ level: 'ERROR', message: `stream records of ${tableName} discarded: ${reason}`, count: records.length })),
          }),
        );
      }
    }
    stops.push(async () => {
      await Promise.all([...queuePollers.map((poller) => poller.stop()), ...[...streamPollers.values()].map((poller) => poller.stop())]);
      sqs.destroy();
    });

    const issuer = await LocalIssuer.create('http://127.0.0.1/local-issuer', model.appClients);
    const edge = await LocalEdge.start({
      routes: model.routes,
      issuer,
      gatewayResponses: model.gatewayResponses,
      invoke: (name, event) => invoke(name, event, 'http'),
      containerUrl: (service) => containers.urlOf(service),
      ...(options.edgePort === undefined ? {} : { port: options.edgePort }),
    });
    stops.push(() => edge.stop());

    const platform: LocalPlatform = {
      model,
      sagas: options.sagas ?? [],
      edge,
      issuer,
      functions: startedFunctions,
      containers,
      dynamodb,
      queues,
      bus,
      stateMachines,
      logs,
      environment,
      queueUrls,
      assemblyDirectory: assemblyDir,
      freshAssembly: fresh,
      pendingStreamRecords: () => Object.fromEntries([...streamPollers].map(([table, poller]) => [table, poller.pending])),
      stop: stopAll,
    };
    await options.seed?.(platform);
    return platform;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
