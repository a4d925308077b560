import {
  HeaderFlag,
  IMAGE_OFFSET_BYTES,
  eventLayout as E,
  headerEntryLayout as H,
  stringFields,
} from '../abi/bpf-abi.js';

/** How many header keys and values of request records of `pid` came as offsets into the image, and as bytes. */
export function countForms(records: Buffer[], pid: number): { inImage: number; asBytes: number } {
  let inImage = 0;
  let asBytes = 0;
  for (const record of records) {
    if (record.length < E.size || record.readUInt32LE(E.tgid) !== pid || record[E.kind] !== 1) continue;
    let at = E.size;
    for (let i = 0; i < stringFields.length; i++) at += record.readUInt16LE(E.strLen + 2 * i);
    for (let i = 0; i < record[E.nheaders]!; i++) {
      const flags = record[at + H.flags]!;
      const keyIn = (flags & HeaderFlag.keyInImage) !== 0;
      const valueIn = (flags & HeaderFlag.valueInImage) !== 0;
      inImage += Number(keyIn) + Number(valueIn);
      asBytes += Number(!keyIn) + Number(!valueIn);
      at +=
        H.size +
        (keyIn ? IMAGE_OFFSET_BYTES : record.readUInt16LE(at + H.keyLen)) +
        (valueIn ? IMAGE_OFFSET_BYTES : record.readUInt16LE(at + H.valueLen));
    }
  }
  return { inImage, asBytes };
}
