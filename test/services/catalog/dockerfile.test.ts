/**
 * The catalog image's Dockerfile, read as Docker reads it (no Docker here): the shared container
 * checks, with the unprivileged `node` user of the Node.js image (ECS does not require a numeric one).
 */
import { catalog } from '../../../services/catalog/service';
import { describeContainerDockerfile } from '../../support/container-dockerfile';

describeContainerDockerfile(catalog, { entry: 'services/catalog/server.ts', user: 'node' });
