import { Worker } from 'node:worker_threads';
import { OffsetsError } from '../offsets-error.js';
import { rebuildError, type AnalysisJob, type AnalysisReply } from './analysis-messages.js';
import type { BinaryAnalysis, BinaryAnalysisRequest } from './binary-analysis.js';

export interface BinaryAnalyzerOptions {
  /** Longest one analysis may run; then its worker is stopped and it fails with BUDGET_EXCEEDED. Default 10 s. */
  timeoutMs?: number;
  /** V8 heap of the worker thread, in MB; running out fails the analysis with BUDGET_EXCEEDED. Default 256. */
  maxHeapMb?: number;
  /** The worker exits after this long without work, and the next analysis starts a new one. Default 10 s. */
  idleMs?: number;
  /** The worker script; defaults to the one built beside this module (tests point at the built package). */
  workerUrl?: URL;
  /**
   * Called each time a worker has exited (idle, or stopped after a failure). What it freed stays in
   * its thread's malloc arena, resident (about 14 MB after analysing a Go binary, glibc), until
   * something such as the native addon's releaseFreeMemory() returns it to the kernel.
   */
  onWorkerExit?: () => void;
}

interface Pending {
  job: AnalysisJob;
  resolve: (analysis: BinaryAnalysis) => void;
  reject: (error: Error) => void;
}

/**
 * Analyses Go binaries in a worker thread, one at a time, so parsing a binary never blocks the caller's
 * event loop (under `--all` every exec'd file is parsed). A file that takes too long or too much heap
 * costs its own analysis, never the caller: the worker is stopped and the next analysis gets a new one.
 */
export class BinaryAnalyzer implements AsyncDisposable {
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private worker: Worker | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;
  private readonly idleMs: number;
  private readonly workerUrl: URL;
  private readonly onWorkerExit: () => void;

  constructor(options: BinaryAnalyzerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxHeapMb = options.maxHeapMb ?? 256;
    this.idleMs = options.idleMs ?? 10_000;
    this.workerUrl = options.workerUrl ?? new URL('./analysis-worker.js', import.meta.url);
    this.onWorkerExit = options.onWorkerExit ?? (() => undefined);
  }

  /** Build info, layout, probe and return sites of one binary; rejects with the GoElfError or OffsetsError it met. */
  analyze(request: BinaryAnalysisRequest): Promise<BinaryAnalysis> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, request }, resolve, reject });
      this.pump();
    });
  }

  /** Fails what is queued or running (code ERR_CLOSED) and stops the worker; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.deadline);
    clearTimeout(this.idleTimer);
    for (const pending of [this.current, ...this.queue.splice(0)]) pending?.reject(closedError());
    this.current = undefined;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      this.idle();
      return;
    }
    clearTimeout(this.idleTimer);
    this.current = next;
    const worker = this.worker ?? this.start();
    worker.ref();
    this.deadline = setTimeout(() => this.fail(worker, this.timedOut(next.job.request.path)), this.timeoutMs);
    worker.postMessage(next.job);
  }

  private start(): Worker {
    const worker = new Worker(this.workerUrl, { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    worker.on('message', (reply: AnalysisReply) => this.settle(worker, reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const path = this.current?.job.request.path ?? 'binary analysis';
      this.fail(worker, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? this.outOfHeap(path) : error);
    });
    worker.on('exit', (code) => this.fail(worker, new Error(`the binary analysis worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settle(worker: Worker, reply: AnalysisReply): void {
    const pending = this.current;
    if (worker !== this.worker || pending?.job.id !== reply.id) return;
    clearTimeout(this.deadline);
    this.current = undefined;
    if ('error' in reply) pending.reject(rebuildError(reply.error));
    else pending.resolve(reply.analysis);
    this.pump();
  }

  /** Stops a worker that is stuck or broken and fails the analysis it had; later ones get a new worker. */
  private fail(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    clearTimeout(this.deadline);
    this.stop(worker);
    const pending = this.current;
    this.current = undefined;
    pending?.reject(error);
    this.pump();
  }

  private idle(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.current) return;
      this.worker = undefined;
      this.stop(worker);
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private stop(worker: Worker): void {
    void worker.terminate().then(() => this.onWorkerExit());
  }

  private timedOut(path: string): OffsetsError {
    return new OffsetsError(
      'BUDGET_EXCEEDED',
      `${path}: expected the analysis to finish within ${this.timeoutMs} ms, it did not, so it was stopped; ` +
        'the file is unusually large or crafted. If you trust it, raise the analyzer timeoutMs.',
    );
  }

  private outOfHeap(path: string): OffsetsError {
    return new OffsetsError(
      'BUDGET_EXCEEDED',
      `${path}: expected the analysis to fit in ${this.maxHeapMb} MB of heap, it needed more, so it was stopped; ` +
        'the file is unusually large or crafted. If you trust it, raise the analyzer maxHeapMb.',
    );
  }
}

function closedError(): Error {
  return Object.assign(new Error('the binary analyzer was closed'), { code: 'ERR_CLOSED' });
}
