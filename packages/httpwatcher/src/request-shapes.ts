import { decodeRequestShape, type ImageTextSource } from './abi/decode-request-shape.js';
import type { HttpRequestShape } from './http-request-view.js';
import { maskRequest, type SecretRedactor } from './redact.js';
import { type RecordSpan, recordOf, shapeIdOf } from './record-span.js';

/** Shapes kept: the requests a client sends over and over are few; more only cost failed lookups. */
const maxShapes = 4;
/**
 * Batch bytes after which every shape is forgotten: each record takes at least 8 of them, so fewer
 * than 2^28 new ids can have been given meanwhile, far from the 2^32 - 1 after which ids repeat.
 */
const forgetAfterBytes = 2 ** 31;

interface KeptShape {
  /** The shape id the addon gave the records of this shape (ring-records.ts, `frameBytes`). */
  readonly id: number;
  readonly shape: HttpRequestShape;
}

/**
 * Request shapes of recent records, by the shape id the addon wrote into each record's frame: a
 * client at full rate sends the same request again and again, and a repeat costs a lookup of its
 * id instead of a decode. The addon gives two records the same id exactly when they are equal
 * outside their call's fields (bpf-native's shape-ids.h); comparing those bytes here cost a fifth
 * of the JavaScript thread at full rate (BENCHMARKS.md). Shapes are masked here when the Snooper
 * redacts secrets. Header texts read from a binary's image by offset are part of a shape: `forget()`
 * must be called when a binary is released or added.
 */
export class RequestShapes {
  /** Most recently used first. */
  private kept: KeptShape[] = [];
  /** Bytes of batches since the shapes were last forgotten. */
  private passedBytes = 0;

  constructor(
    private readonly images: ImageTextSource,
    private readonly redactor: SecretRedactor | undefined,
  ) {}

  /** The shape of the record `span` points at; throws DecodeError when it cannot be decoded. */
  shapeOf(span: RecordSpan): HttpRequestShape {
    const id = shapeIdOf(span);
    const kept = this.kept;
    // Id 0: a record without one (a batch not made by the addon) is decoded each time.
    if (id !== 0) {
      for (let i = 0; i < kept.length; i++) {
        const k = kept[i]!;
        if (k.id !== id) continue;
        if (i > 0) {
          kept.splice(i, 1);
          kept.unshift(k);
        }
        return k.shape;
      }
    }
    const decoded = decodeRequestShape(recordOf(span), this.images);
    const shape = this.redactor ? maskRequest(this.redactor, decoded) : decoded;
    // A text that could not be read may be readable for the next record: such shapes are not kept.
    if (id !== 0 && !shape.incomplete) {
      if (kept.length >= maxShapes) kept.pop();
      kept.unshift({ id, shape });
    }
    return shape;
  }

  /**
   * A batch of `bytes` came from the addon. Its records may have new ids without being looked up
   * here (dropped behind a full backlog), so a shape kept for long is forgotten before its id can
   * be given to another.
   */
  passed(bytes: number): void {
    this.passedBytes += bytes;
    if (this.passedBytes > forgetAfterBytes) this.forget();
  }

  /** Drops every shape (a binary's image texts changed). */
  forget(): void {
    this.kept = [];
    this.passedBytes = 0;
  }
}
