import { eventLayout as E } from './abi/bpf-abi.js';
import { decodeRequestShape, type ImageTextSource } from './abi/decode-request-shape.js';
import type { HttpRequestShape } from './http-request-view.js';
import { maskRequest, type SecretRedactor } from './redact.js';

/** Shapes kept: the requests a client sends over and over are few; more only cost failed compares. */
const maxShapes = 4;

/**
 * A record's bytes that belong to its call, not its request: time, goroutine id, request pointer,
 * process ids and thread ([0, flags)) and the goroutine pointer ([g, size)). Everything else (flags,
 * lengths, binary id, strings, headers) is the shape: equal bytes decode to equal shapes.
 */
const callBytes = { end: E.flags, gStart: E.g, gEnd: E.size } as const;

interface KeptShape {
  /** The record the shape was decoded from: its shape bytes are compared with the next records'. */
  readonly bytes: Buffer;
  readonly shape: HttpRequestShape;
}

/**
 * Request shapes of recent records, by their bytes: a client at full rate sends the same request
 * again and again, and a repeat costs two compares of its bytes instead of a decode. Shapes are
 * masked here when the Snooper redacts secrets. Header texts read from a binary's image by offset
 * are part of a shape: `forget()` must be called when a binary is released or added.
 */
export class RequestShapes {
  /** Most recently used first. */
  private kept: KeptShape[] = [];

  constructor(
    private readonly images: ImageTextSource,
    private readonly redactor: SecretRedactor | undefined,
  ) {}

  /** The record's shape; throws DecodeError when it cannot be decoded. */
  shapeOf(record: Buffer): HttpRequestShape {
    const kept = this.kept;
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i]!;
      if (k.bytes.length === record.length && sameShapeBytes(k.bytes, record)) {
        if (i > 0) {
          kept.splice(i, 1);
          kept.unshift(k);
        }
        return k.shape;
      }
    }
    const decoded = decodeRequestShape(record, this.images);
    const shape = this.redactor ? maskRequest(this.redactor, decoded) : decoded;
    // A text that could not be read may be readable for the next record: such shapes are not kept.
    if (!shape.incomplete) {
      if (kept.length >= maxShapes) kept.pop();
      kept.unshift({ bytes: Buffer.from(record), shape });
    }
    return shape;
  }

  /** Drops every shape (a binary's image texts changed). */
  forget(): void {
    this.kept = [];
  }
}

/**
 * Whether `record` has the shape bytes of `kept`, a record of the same length. `kept` (a copy of
 * its own) takes the record's call bytes first, so that one compare of the whole decides: two
 * compares of ranges cost twice the calls and eight argument checks (0.1 µs per request).
 */
function sameShapeBytes(kept: Buffer, record: Buffer): boolean {
  for (let i = 0; i < callBytes.end; i++) kept[i] = record[i]!;
  for (let i = callBytes.gStart; i < callBytes.gEnd; i++) kept[i] = record[i]!;
  return kept.equals(record);
}
