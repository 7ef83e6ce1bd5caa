/**
 * Lambda entry of the mobile BFF: built once per container from the pointers its construct sets
 * (see `bffRuntimeFromEnvironment`).
 */
import { bffRuntimeFromEnvironment } from '../shared/bff/bff-runtime';
import { MOBILE_FLAG_DEFAULTS, MobileFlags, createMobileBffApi } from './mobile-api';

export const handler = createMobileBffApi(bffRuntimeFromEnvironment(MobileFlags, MOBILE_FLAG_DEFAULTS));
