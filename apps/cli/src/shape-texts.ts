import type { HttpRequestShape, SecretRedactor } from 'httpwatcher';
import { type CallFields, CallWriter } from './call-bytes.js';
import { jsonRequest } from './format-json.js';
import { textRequest } from './format-text.js';
import { matchesFilters, type RequestFilter } from './request-filter.js';

/** Shapes remembered before the cache starts over: a client sends few distinct requests, a crawler many. */
const maxShapes = 4096;

export interface ShapeTextOptions {
  /** `json` or `text`; undefined: nothing is printed (--quiet). */
  readonly format: 'json' | 'text' | undefined;
  readonly timestamps: boolean;
  readonly color: boolean;
  readonly filters: readonly RequestFilter[];
  readonly redactor: SecretRedactor | undefined;
}

/** What the output makes of one request shape. */
export interface ShapeText {
  /** The filters keep it. */
  readonly keep: boolean;
  /** Its text from the method on, encoded; undefined when nothing is printed. */
  readonly bytes: Uint8Array | undefined;
}

/**
 * `--json` and text output of requests taken as views (Snooper option requestViews): a request's
 * text is its call's part (time, PID, thread, goroutine: `writeCall`) followed by its shape's part,
 * which the same formatters write as for an event (`formatJson`, `formatText`), once per shape:
 * calls that sent the same request print it from the bytes kept here. The filters' verdict and the
 * masking of secrets depend on the shape alone, and are kept with it.
 */
export class ShapeTexts {
  private readonly byShape = new Map<HttpRequestShape, ShapeText>();

  /** Writes a call's part (`jsonCall`, `textCall`) as bytes at `at`; returns where it ended. */
  readonly writeCall: (into: Buffer, at: number, call: CallFields) => number;

  constructor(private readonly options: ShapeTextOptions) {
    this.writeCall = (options.format === 'json' ? CallWriter.json() : CallWriter.text(options)).write;
  }

  of(shape: HttpRequestShape): ShapeText {
    const known = this.byShape.get(shape);
    if (known) return known;
    if (this.byShape.size >= maxShapes) this.byShape.clear();
    const text = this.textOf(shape);
    this.byShape.set(shape, text);
    return text;
  }

  private textOf(shape: HttpRequestShape): ShapeText {
    const { format, filters, redactor } = this.options;
    const keep = matchesFilters(filters, shape);
    if (!keep || format === undefined) return { keep, bytes: undefined };
    const shown = redactor ? redactor.request(shape) : shape;
    const text = format === 'json' ? `${jsonRequest(shape, shown)}}\n` : textRequest(shape, shown, this.options);
    return { keep, bytes: Buffer.from(text, 'utf8') };
  }
}
