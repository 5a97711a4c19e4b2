export { createEngine, type EngineConfig } from './create-engine.ts';
export type {
  AppendResult,
  CasResult,
  ConsumeOptions,
  Delivery,
  Engine,
  EngineHealth,
  EngineName,
  EngineOptions,
  KvEntry,
  KvStore,
  RecordStore,
  LogEntry,
  LogRead,
  LogStore,
  PubSub,
  PubSubHandler,
  Retention,
} from './types.ts';
export { DEFAULT_DEDUP_WINDOW_MS, DEFAULT_NAMESPACE, DEFAULT_RETENTION } from './types.ts';
