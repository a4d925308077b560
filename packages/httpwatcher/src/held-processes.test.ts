import { describe, expect, it } from 'vitest';
import { assertHostPidNamespace } from './held-processes.js';

describe('assertHostPidNamespace', () => {
  it('passes in the initial PID namespace, where these tests run', () => {
    expect(() => assertHostPidNamespace()).not.toThrow();
  });

  it('rejects any other namespace inode, and an unreadable one, with UNSUPPORTED_PID_NAMESPACE', () => {
    // /proc/self/ns/net is a namespace too, with another inode than the initial PID namespace's.
    expect(() => assertHostPidNamespace('/proc/self/ns/net')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_PID_NAMESPACE', message: expect.stringContaining('--pid=host') }),
    );
    expect(() => assertHostPidNamespace('/nonexistent/ns/pid')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_PID_NAMESPACE' }),
    );
  });
});
