import { eventLayout as E } from './abi/bpf-abi.js';
import { decodeRequestShape, type ImageTextSource } from './abi/decode-request-shape.js';
import type { HttpRequestShape } from './http-request-view.js';
import { maskRequest, type SecretRedactor } from './redact.js';
import { type RecordSpan, recordOf, wordsOf } from './record-span.js';

/** Shapes kept: the requests a client sends over and over are few; more only cost failed compares. */
const maxShapes = 4;

/**
 * A record's words that belong to its call, not its request: time, goroutine id, request pointer,
 * process ids and thread ([0, flags)) and the goroutine pointer ([g, size)). Everything else (flags,
 * lengths, binary id, strings, headers) is the shape: equal bytes decode to equal shapes.
 */
const shapeWords = { headStart: E.flags / 4, headEnd: E.g / 4, restStart: E.size / 4 } as const;

interface KeptShape {
  /** The record the shape was decoded from (a copy, from a multiple of 4 bytes), and its words. */
  readonly bytes: Buffer;
  readonly words: Uint32Array;
  readonly shape: HttpRequestShape;
}

/**
 * Request shapes of recent records, by their bytes: a client at full rate sends the same request
 * again and again, and a repeat costs a compare of its bytes instead of a decode. Shapes are
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

  /** The shape of the record `span` points at; throws DecodeError when it cannot be decoded. */
  shapeOf(span: RecordSpan): HttpRequestShape {
    const kept = this.kept;
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i]!;
      if (k.bytes.length === span.size && sameShape(k, span)) {
        if (i > 0) {
          kept.splice(i, 1);
          kept.unshift(k);
        }
        return k.shape;
      }
    }
    const record = recordOf(span);
    const decoded = decodeRequestShape(record, this.images);
    const shape = this.redactor ? maskRequest(this.redactor, decoded) : decoded;
    // A text that could not be read may be readable for the next record: such shapes are not kept.
    if (!shape.incomplete) {
      if (kept.length >= maxShapes) kept.pop();
      // A copy of its own, at the start of its memory: its words line up with the record's.
      const bytes = Buffer.allocUnsafeSlow(record.length);
      record.copy(bytes);
      kept.unshift({ bytes, words: wordsOf(bytes), shape });
    }
    return shape;
  }

  /** Drops every shape (a binary's image texts changed). */
  forget(): void {
    this.kept = [];
  }
}

/**
 * Whether the record `span` points at has the shape bytes of `kept`, a record of the same length
 * (at least a header's: it was decoded). A word loop over the shape's words, then the last bytes:
 * at a few hundred bytes it costs less than a `Buffer` of the record and a compare call.
 */
function sameShape(kept: KeptShape, span: RecordSpan): boolean {
  const a = kept.words;
  const b = span.words;
  const base = span.start >>> 2;
  for (let i = shapeWords.headStart; i < shapeWords.headEnd; i++) if (a[i] !== b[base + i]) return false;
  const whole = span.size >>> 2;
  for (let i = shapeWords.restStart; i < whole; i++) if (a[i] !== b[base + i]) return false;
  const x = kept.bytes;
  const y = span.bytes;
  for (let i = whole << 2; i < span.size; i++) if (x[i] !== y[span.start + i]) return false;
  return true;
}
