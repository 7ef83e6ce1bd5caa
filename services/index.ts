import type { SagaSpec, ServiceSpec } from 'msa-platform-blueprint';
import { bffMobile } from './bff-mobile/service';
import { bffWeb } from './bff-web/service';
import { catalog as catalogService } from './catalog/service';
import { inventory } from './inventory/service';
import { orders } from './orders/service';
import { placeOrderSaga } from './orders/place-order-saga';
import { payments } from './payments/service';
import { pricing } from './pricing/service';

/** The demo catalog: every service the platform runs. Stacks hand it to the constructs. */
export const catalog: ServiceSpec[] = [orders, inventory, payments, catalogService, pricing, bffWeb, bffMobile];

/** The sagas across the catalog's services. */
export const sagas: SagaSpec[] = [placeOrderSaga];
