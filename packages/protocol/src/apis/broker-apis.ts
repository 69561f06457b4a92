import type { ApiSpec } from '../schema/schema-types.js';
import { ApiVersions } from './api-versions.js';
import { CreateTopics } from './create-topics.js';
import { Fetch } from './fetch.js';
import { ListOffsets } from './list-offsets.js';
import { Metadata } from './metadata.js';
import { Produce } from './produce.js';

/** Cluster, topic, produce/fetch, config, ACL and SASL APIs. */
export const BROKER_APIS: readonly ApiSpec[] = [ApiVersions, Metadata, Produce, Fetch, ListOffsets, CreateTopics];
