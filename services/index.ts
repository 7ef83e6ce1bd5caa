import type { ServiceSpec } from '../constructs/model/service-spec';
import { bffMobile } from './bff-mobile/service';
import { bffWeb } from './bff-web/service';
import { catalog as catalogService } from './catalog/service';
import { orders } from './orders/service';

/** The demo catalog: every service the platform runs. Stacks hand it to the constructs. */
export const catalog: ServiceSpec[] = [orders, catalogService, bffWeb, bffMobile];
