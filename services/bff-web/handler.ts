/**
 * Lambda entry of the web BFF: built once per container from the pointers its construct sets
 * (see `bffRuntimeFromEnvironment`).
 */
import { bffRuntimeFromEnvironment } from '../shared/bff/bff-runtime';
import { WEB_FLAG_DEFAULTS, WebFlags, createWebBffApi } from './web-api';

export const handler = createWebBffApi(bffRuntimeFromEnvironment(WebFlags, WEB_FLAG_DEFAULTS));
