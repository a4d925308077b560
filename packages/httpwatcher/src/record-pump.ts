import type { NativeTracer } from '@httpwatcher/bpf-native';
import { decodeEvent, joinFieldsOf, pidOf, requestPointerOf } from './abi/decode-event.js';
import type { LifecycleRecord } from './abi/decode-lifecycle.js';
import { EventKind } from './abi/bpf-abi.js';
import {
  dispatchRecord,
  frameBytes,
  kindAt,
  nextRecordAt,
  recordSizeAt,
  type RecordHandlers,
} from './abi/ring-records.js';
import type { BinaryImages } from './binary-registry.js';
import type { EventDelivery } from './event-delivery.js';
import { ImageTexts } from './image-texts.js';
import { maskRequest } from './redact.js';
import { RequestRecordView } from './request-record-view.js';
import { type RecordSpan, wordsOf } from './record-span.js';
import { RequestShapes } from './request-shapes.js';
import type { MonotonicClock } from './monotonic-clock.js';
import type { ResponseJoin } from './response-join.js';
import type { SnooperLifetime } from './snooper-lifetime.js';
import type { TransportJoin } from './transport-join.js';

/**
 * Moves what the kernel ring holds into user space: splits each native batch into records,
 * decodes them and hands each to its consumer: requests to the queue (or, in response mode, to
 * the join that waits for their return; in transport mode, to the join with their client calls,
 * which hands its events on to the response join when both are on),
 * lifecycle records to `onLifecycle`. It also keeps the files that strings sent as offsets are
 * read from, open for as long as a record may name them.
 */
export class RecordPump {
  /** Records that could not be decoded (stats().decodeErrors). */
  decodeErrors = 0;
  /** Header keys and values that records name by offset into their binary's read-only data. */
  private readonly images = new ImageTexts();
  /** Shapes of recent request records, for the views of option requestViews; they hold image texts. */
  private readonly shapes: RequestShapes;
  /** Inside onBatch: binaries released meanwhile are closed when the batch is done. */
  private decoding = false;
  private readonly imagesToRelease: number[] = [];
  /** Binaries released while records that may name them wait in the delivery's backlog. */
  private readonly imagesAfterBacklog: number[] = [];
  /** close() came while records waited in the backlog: the files close once it is empty. */
  private closeAfterBacklog = false;

  /**
   * A released binary's file closes once no record naming it is left: outside a batch, after
   * decoding what the ring holds (the kernel no longer writes records for it); inside one, after it.
   */
  readonly binaryImages: BinaryImages = {
    add: (id, path, data) => {
      this.shapes.forget();
      return this.images.add(id, path, data);
    },
    release: (id) => {
      if (this.decoding) {
        this.imagesToRelease.push(id);
        return;
      }
      this.flush();
      this.releaseImage(id);
    },
  };

  private releaseImage(id: number): void {
    if (this.delivery.backlogged.records > 0) this.imagesAfterBacklog.push(id);
    else this.closeImage(id);
  }

  private closeImage(id: number): void {
    this.images.release(id);
    this.shapes.forget();
  }

  private readonly handlers: RecordHandlers = {
    lifecycle: (record) => this.onLifecycle(record),
    response: (record) => this.responses?.response(record),
    callEnd: (pid, g) => this.transport?.callEnd(pid, g),
    request: (record, decode) => {
      if (this.transport) {
        this.transport.request({ event: decode(record, this.clock, this.images), ...joinFieldsOf(record) });
      } else if (this.responses) {
        this.responses.request(decode(record, this.clock, this.images), requestPointerOf(record));
      } else if (this.delivery.behind) {
        // A record of unknown kind (its decoder rejects it) is not worth keeping; with requestViews
        // nothing is behind, and its decoder's error counts it.
        if (decode === decodeEvent) this.delivery.defer(record, pidOf(record));
        else if (this.delivery.keepsRecords) decode(record, this.clock, this.images);
        else this.delivery.dropUndecoded(pidOf(record));
      } else {
        this.delivery.deliver(decode(record, this.clock, this.images));
      }
    },
  };

  constructor(
    private readonly tracer: NativeTracer,
    private readonly lifetime: SnooperLifetime,
    private readonly clock: MonotonicClock,
    private readonly delivery: EventDelivery,
    /** Response mode: request events wait there for their call's return. */
    private readonly responses: ResponseJoin | undefined,
    private readonly onLifecycle: (record: LifecycleRecord) => void,
    /** Transport mode: request records are joined to their client calls there. */
    private readonly transport?: TransportJoin,
  ) {
    const { redactor } = delivery;
    this.shapes = new RequestShapes(this.images, redactor);
    const drained = (): void => {
      for (const id of this.imagesAfterBacklog.splice(0)) this.closeImage(id);
      if (this.closeAfterBacklog) this.images.close();
    };
    const view = new RequestRecordView(this.shapes, clock, (record) => {
      const event = decodeEvent(record, clock, this.images);
      return redactor ? maskRequest(redactor, event) : event;
    });
    delivery.decodeBacklogWith(
      {
        decode: (record) => {
          try {
            return decodeEvent(record, this.clock, this.images);
          } catch {
            this.decodeErrors++;
            return undefined;
          }
        },
        drained,
      },
      {
        read: (span: RecordSpan) => {
          try {
            view.read(span);
            return view;
          } catch {
            this.decodeErrors++;
            return undefined;
          }
        },
        drained,
      },
    );
  }

  /** Decodes every record already in the kernel ring now. */
  flush(): void {
    if (this.lifetime.closed) return;
    const batch = this.tracer.flush();
    if (batch) this.onBatch(batch);
  }

  /** A batch from the native ring reader (poll or timer) or from flush(). */
  onBatch(batch: Buffer): void {
    const outermost = !this.decoding;
    this.decoding = true;
    this.shapes.passed(batch.length);
    try {
      // With requestViews every request record goes to the backlog as it is: a batch of nothing
      // else is kept whole, other records are copied from the batch without a Buffer for each (at
      // full rate, making one cost about as much as the copy).
      const direct = this.delivery.keepsRecords;
      const words = direct && (batch.byteOffset & 3) === 0 ? wordsOf(batch) : undefined;
      if (words && this.adoptRequests(batch, words)) return;
      for (let at = 0; at + frameBytes <= batch.length; ) {
        const size = recordSizeAt(batch, at);
        const start = at + frameBytes;
        at = nextRecordAt(at, size);
        if (direct && size > kindAt && batch[start + kindAt] === EventKind.request) {
          this.delivery.deferFrom(batch, words, start, size);
          continue;
        }
        try {
          dispatchRecord(batch.subarray(start, start + size), this.handlers);
        } catch {
          this.decodeErrors++;
        }
      }
    } finally {
      if (outermost) {
        this.decoding = false;
        // Consumers that took events meanwhile left room in the queue.
        this.delivery.refill();
        for (const id of this.imagesToRelease.splice(0)) this.releaseImage(id);
      }
    }
  }

  /** Keeps a batch that holds request records only, whole, in the delivery's backlog; false when it holds others or does not fit. */
  private adoptRequests(batch: Buffer, words: Uint32Array): boolean {
    let records = 0;
    let sizeBytes = 0;
    let at = 0;
    while (at + frameBytes <= batch.length) {
      const size = words[at >>> 2]!;
      const start = at + frameBytes;
      // A record that overruns the batch, or one of another kind: the records go one by one.
      if (start + size > batch.length || size <= kindAt || batch[start + kindAt] !== EventKind.request) return false;
      records++;
      sizeBytes += size;
      at = nextRecordAt(at, size);
    }
    return records > 0 && this.delivery.adoptRequests(batch, words, records, sizeBytes, at);
  }

  /**
   * Closes every binary's file (the tracer is closed: no new record will name them), or, while
   * records wait in the backlog, once they are decoded.
   */
  close(): void {
    if (this.delivery.backlogged.records > 0) this.closeAfterBacklog = true;
    else this.images.close();
  }
}
