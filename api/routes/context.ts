/** What every route module receives from the app: the database, its probed capabilities and shared services. */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities } from '../../data/db/capabilities.ts';
import type { DB } from '../../data/db/schema.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { LayerVersions } from '../tiles/layer-versions.ts';
import type { AuditChain } from '../auth/audit-log.ts';
import type { HeavyGate } from '../heavy-gate.ts';
import type { LayerLimits } from './layer-input.ts';
import type { AnswerCache } from '../answer-cache.ts';

export interface RouteContext {
  db: Kysely<DB>;
  caps: Capabilities;
  version: string;
  log: Logger;
  /** the one background job runner (partition, import) */
  jobs: JobRunner;
  /** cache-busting versions of the map layers (tiles); invalidated by publish, edits and imports */
  layerVersions: LayerVersions;
  /** largest upload accepted (bytes) */
  uploadLimitBytes: number;
  /** the base of absolute links (OGC, TileJSON): PUBLIC_URL, else the listen address; never the Host header */
  publicBase(): string;
  /** the audit log's key and checkpoint (loaded on first use) */
  audit(): AuditChain;
  /** bounds on layers sent for validation, repair or merge */
  layerLimits: LayerLimits;
  /** statement timeout of one heavy request on the server engine, ms */
  requestTimeoutMs: number;
  /** one heavy request at a time */
  heavy: HeavyGate;
  /** open, heavy answers named exactly by a version (tiles, plan exports), kept in memory (api/answer-cache.ts) */
  answers: AnswerCache<Buffer>;
}
