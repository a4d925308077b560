/**
 * Request records that wait, undecoded, for room in a full queue: a record is its ring bytes
 * (about 330 for a request with 8 headers), a decoded event several times that, so a consumer
 * that falls behind for a moment costs little memory and loses nothing. First in, first out;
 * bounded by the bytes of the records it holds.
 */
export class RecordBacklog {
  private records: Buffer[] = [];
  private head = 0;
  /** Bytes of the records held now. */
  sizeBytes = 0;

  constructor(readonly maxBytes: number) {}

  get length(): number {
    return this.records.length - this.head;
  }

  /** Keeps `record` (a view of its batch, which stays alive while it waits); false when it would pass `maxBytes`. */
  push(record: Buffer): boolean {
    if (this.sizeBytes + record.length > this.maxBytes) return false;
    this.records.push(record);
    this.sizeBytes += record.length;
    return true;
  }

  shift(): Buffer | undefined {
    if (this.head === this.records.length) return undefined;
    const record = this.records[this.head]!;
    this.records[this.head++] = undefined as unknown as Buffer;
    this.sizeBytes -= record.length;
    if (this.head === this.records.length) {
      this.records = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    return record;
  }
}
