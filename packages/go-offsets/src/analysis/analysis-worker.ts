// Worker-thread entry of BinaryAnalyzer: analyses one binary per message, in the order received.
import { parentPort } from 'node:worker_threads';
import type { AnalysisJob, AnalysisReply } from './analysis-messages.js';
import { transferError } from './analysis-messages.js';
import { analyzeRequest } from './binary-analysis.js';

const port = parentPort;
if (!port) throw new Error('analysis-worker runs as a worker thread of BinaryAnalyzer');

port.on('message', async ({ id, request }: AnalysisJob) => {
  let reply: AnalysisReply;
  try {
    reply = { id, analysis: await analyzeRequest(request) };
  } catch (error) {
    reply = { id, error: transferError(error) };
  }
  port.postMessage(reply);
});
