import { GoElfError, type GoElfErrorCode } from '../go-elf-error.js';

/** The GoElfError code a promise rejects with, or 'resolved'; any other rejection is rethrown. */
export async function codeOf(promise: Promise<unknown>): Promise<GoElfErrorCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (!GoElfError.isInstance(error)) throw error;
    return error.code;
  }
}
