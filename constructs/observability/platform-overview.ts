import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import type { ServiceMonitoring } from './service-monitoring';

/** Props of a PlatformOverview. */
export interface PlatformOverviewProps {
  /** Prefix of the dashboard and alarm names, e.g. `shop-dev`. */
  readonly namePrefix: string;
  /** Where the gateway alarms send their state changes. */
  readonly alertTopic: sns.ITopic;
  /** The services, each with its own monitoring. */
  readonly services: readonly ServiceMonitoring[];
  /**
   * The edge REST API and its stage: traffic, 5xx rate and p99 latency of the whole entry point.
   * @default - no gateway section
   */
  readonly gateway?: { readonly api: apigateway.IRestApi; readonly stageName: string };
  /**
   * Share of gateway calls ending in a 5xx that raises the gateway alarm, in percent.
   * @default 1
   */
  readonly gatewayErrorRatePercent?: number;
  /**
   * p99 gateway latency that raises the gateway latency alarm.
   * @default Duration.seconds(3)
   */
  readonly gatewayLatencyP99?: Duration;
  /**
   * Services per dashboard: a dashboard holds at most 500 widgets and each service's row takes four,
   * so the rows of a larger catalog continue on further dashboards (`<prefix>-overview-2`, ...).
   * @default 100
   */
  readonly servicesPerDashboard?: number;
}

/**
 * One dashboard for the whole platform: the edge (traffic, 5xx rate, p99 latency, with alarms to
 * the alert topic), then one row per service with its requests, error rate and p99 latency, and
 * the state of every service alarm. Rows past `servicesPerDashboard` continue on further dashboards.
 */
export class PlatformOverview extends Construct {
  /** The facade that made the dashboard and the gateway alarms. */
  public readonly facade: MonitoringFacade;
  /** The dashboards that continue the rows of a large catalog, in order (`<prefix>-overview-2`, ...). */
  public readonly continuations: readonly cloudwatch.Dashboard[];

  constructor(scope: Construct, id: string, props: PlatformOverviewProps) {
    super(scope, id);
    const errorRate = props.gatewayErrorRatePercent ?? 1;
    if (!(errorRate > 0 && errorRate <= 100)) throw ConstructPropError.of(this, 'gatewayErrorRatePercent', `is ${errorRate}; expected a share above 0 and at most 100 percent`);
    const period = Duration.minutes(1);
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: `${props.namePrefix}-edge`,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.alertTopic, onOkTopic: props.alertTopic }),
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      },
      metricFactoryDefaults: { period },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: `${props.namePrefix}-overview`,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    this.facade.addLargeHeader(`${props.namePrefix}: the platform at a glance`);
    if (props.gateway) {
      this.facade.monitorApiGateway({
        api: props.gateway.api,
        apiStage: props.gateway.stageName,
        alarmFriendlyName: 'gateway',
        humanReadableName: 'Edge gateway',
        // cdk-monitoring-constructs computes the API Gateway fault rate as the average of 5XXError: a share from 0 to 1.
        add5XXFaultRateAlarm: { Critical: { maxErrorRate: errorRate / 100 } },
        addLatencyP99Alarm: { Critical: { maxLatency: props.gatewayLatencyP99 ?? Duration.seconds(3) } },
      });
    }
    const perDashboard = props.servicesPerDashboard ?? 100;
    if (!Number.isInteger(perDashboard) || perDashboard < 1 || perDashboard > 120) throw ConstructPropError.of(this, 'servicesPerDashboard', `is ${perDashboard}; expected a whole number from 1 to 120 (four widgets a service, 500 a dashboard)`);
    const rowOf = (service: ServiceMonitoring): cloudwatch.IWidget[] => {
      const name = service.serviceName;
      const width = Math.floor(24 / Math.max(1, service.summaryMetrics.length));
      return [
        new cloudwatch.TextWidget({ markdown: `### ${name}`, width: 24, height: 1 }),
        new cloudwatch.Row(...service.summaryMetrics.map(({ title, metric }) => new cloudwatch.GraphWidget({ title: `${name}: ${title}`, left: [metric], width, height: 5 }))),
      ];
    };
    for (const service of props.services.slice(0, perDashboard)) {
      this.facade.addMediumHeader(service.serviceName);
      const [, row] = rowOf(service);
      this.facade.addWidget(row);
    }
    const continuations: cloudwatch.Dashboard[] = [];
    for (let start = perDashboard; start < props.services.length; start += perDashboard) {
      const page = continuations.length + 2;
      continuations.push(new cloudwatch.Dashboard(this, `Dashboard${page}`, {
        dashboardName: `${props.namePrefix}-overview-${page}`,
        widgets: props.services.slice(start, start + perDashboard).map(rowOf),
      }));
    }
    this.continuations = continuations;
    const alarms = props.services.flatMap((service) => service.alarms.map((a) => a.alarm));
    if (alarms.length > 0) {
      this.facade.addMediumHeader('Alarms of every service');
      // The widget takes at most 100 alarms; beyond that each service's own dashboard shows its alarms.
      this.facade.addWidget(new cloudwatch.AlarmStatusWidget({ title: 'Service alarms', alarms: alarms.slice(0, 100), width: 24, height: Math.min(12, 2 + Math.ceil(alarms.length / 4)) }));
    }
  }

  /** The overview dashboard. */
  public get dashboard(): cloudwatch.Dashboard {
    return this.facade.createdDashboard()!;
  }
}
