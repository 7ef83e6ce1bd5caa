import type { ServiceSpec } from '../constructs/model/service-spec';
import { catalog as catalogService } from './catalog/service';
import { orders } from './orders/service';
import { pricing } from './pricing/service';

/** The demo catalog: every service the platform runs. Stacks hand it to the constructs. */
export const catalog: ServiceSpec[] = [orders, catalogService, pricing];
