/**
 * The architecture diagram of a catalog: {@link architectureOf} builds the model (from the specs,
 * and from a synthesized assembly when given), {@link renderArchitectureSvg} draws it.
 */
export {
  type ArchitectureEdge,
  type ArchitectureEdgeKind,
  type ArchitectureInput,
  type ArchitectureModel,
  type ArchitectureNode,
  type BusNode,
  type EdgeNode,
  type SagaNode,
  type SagaState,
  type ServiceNode,
  BUS_NODE_ID,
  EDGE_KINDS,
  EDGE_NODE_ID,
  architectureOf,
  sagaNodeId,
  serviceNodeId,
} from './architecture-model';
export { architectureDot, renderArchitectureSvg } from './render-svg';
