// The activity interfaces the workflows call: the types of the implementations themselves,
// imported as types only (erased at run time, so neither the workflow bundle nor the
// orchestrator's image carries the workers' code). A changed activity signature fails
// type-checking in the workflows.
import type { CpuActivities } from '@framesmith/worker-cpu/src/activities.js';
import type { GpuActivities } from '@framesmith/worker-gpu/src/activities.js';

/** CPU (image, GIF) and GPU (video) workers; the workflow picks the queue per job. */
export type MediaActivities = CpuActivities & GpuActivities;
export type { StateActivities } from './state-activities.js';
export type { LiveActivities } from './live-activities.js';
export type { PreparedWebhook, WebhookActivities } from './webhook-activities.js';
