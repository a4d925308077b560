import { GoElfError, type GoElfErrorCode } from '@httpwatcher/go-elf';
import { OffsetsError, type OffsetsErrorCode } from '../offsets-error.js';
import type { BinaryAnalysis, BinaryAnalysisRequest } from './binary-analysis.js';

/** What crosses between the analyzer and its worker thread. */
export interface AnalysisJob {
  id: number;
  request: BinaryAnalysisRequest;
}

export type AnalysisReply = { id: number; analysis: BinaryAnalysis } | { id: number; error: TransferredError };

/** An error as plain data: structured cloning keeps neither the class nor `code`. */
export type TransferredError =
  | { kind: 'GoElfError'; code: GoElfErrorCode; path: string; detail: string }
  | { kind: 'OffsetsError'; code: OffsetsErrorCode; message: string; goVersion?: string; nearest: readonly string[] }
  | { kind: 'Error'; name: string; message: string; code?: string };

export function transferError(error: unknown): TransferredError {
  if (GoElfError.isInstance(error)) {
    const prefix = `${error.path}: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { kind: 'GoElfError', code: error.code, path: error.path, detail };
  }
  if (error instanceof OffsetsError) {
    return {
      kind: 'OffsetsError',
      code: error.code,
      message: error.message,
      ...(error.goVersion !== undefined && { goVersion: error.goVersion }),
      nearest: error.nearest,
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return { kind: 'Error', name: e.name, message: e.message, ...(typeof code === 'string' && { code }) };
}

/** The error again, as an instance of this thread's classes. */
export function rebuildError(error: TransferredError): Error {
  if (error.kind === 'GoElfError') return new GoElfError(error.code, error.path, error.detail);
  if (error.kind === 'OffsetsError') {
    return new OffsetsError(error.code, error.message, {
      ...(error.goVersion !== undefined && { goVersion: error.goVersion }),
      nearest: error.nearest,
    });
  }
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.code !== undefined) Object.assign(rebuilt, { code: error.code });
  return rebuilt;
}
