/** A ring record that does not decode: counted in `stats().decodeErrors`, never thrown at a consumer. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}
