import { parentPort, workerData } from "node:worker_threads";
import { jobFromWorkerInput, migrateOne, type CallSiteResult, type WorkerInput } from "./stages/plan-call-sites.js";

/** Worker thread: migrates a chunk of files' call sites and posts the results back (no ts-morph is loaded here). */
const { inputs, job } = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error("worker.js runs as a worker thread of the call-site stage");
const callSiteJob = jobFromWorkerInput(job);
const results: CallSiteResult[] = [];
for (const input of inputs) {
  results.push(migrateOne(input.file, input.text, callSiteJob));
  port.postMessage({ progress: 1 });
}
port.postMessage({ results });
