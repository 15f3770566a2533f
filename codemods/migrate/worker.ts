import { parentPort, workerData } from "node:worker_threads";
import type { ModelOptions } from "eslint-plugin-lock-scope/core";
import { migrateOne, type CallSiteResult } from "./run-migration.js";

/** Worker thread: migrates a chunk of files' call sites and posts the results back. */
interface WorkerInput {
  readonly inputs: { file: string; text: string }[];
  readonly job: {
    model: ModelOptions | undefined;
    handles: [string, "async" | "sync"][];
    reasons: [string, string][];
    modernize: boolean;
    noUsing: string[];
    declaredTypes: [string, [string, string][]][];
    typesHint: string;
    outsideProject: string[];
    outsideProjectHint: string;
  };
}

const { inputs, job } = workerData as WorkerInput;
const results: CallSiteResult[] = [];
const jobMaps = {
  ...job,
  handles: new Map(job.handles),
  reasons: new Map(job.reasons),
  noUsing: new Set(job.noUsing),
  declaredTypes: new Map(job.declaredTypes),
  outsideProject: new Set(job.outsideProject),
};
for (const input of inputs) {
  results.push(migrateOne(input.file, input.text, jobMaps));
  parentPort!.postMessage({ progress: 1 });
}
parentPort!.postMessage({ results });
